/* pe-ocr-result.h: what Tesseract read on one page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Stored per page in the batch store as Tesseract's own TSV (level 5 rows: one per word), so the
 * text layer, classification and review all reuse one recognition and never re-run OCR.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint  block;   /* Tesseract block_num, par_num, line_num, word_num (1-based) */
  guint  par;
  guint  line;
  guint  word;
  gint   x;       /* bounding box in image pixels, origin top left */
  gint   y;
  gint   width;
  gint   height;
  float  conf;    /* 0..100 */
  char  *text;    /* UTF-8, never empty */
} PeOcrWord;

typedef struct _PeOcrResult PeOcrResult;

PeOcrResult     *pe_ocr_result_new          (guint             width,
                                             guint             height);
PeOcrResult     *pe_ocr_result_new_from_tsv (const char       *tsv,
                                             GError          **error);
PeOcrResult     *pe_ocr_result_ref          (PeOcrResult      *self);
void             pe_ocr_result_unref        (PeOcrResult      *self);
void             pe_ocr_result_add_word     (PeOcrResult      *self,
                                             const PeOcrWord  *word);
guint            pe_ocr_result_get_n_words  (PeOcrResult      *self);
const PeOcrWord *pe_ocr_result_get_word     (PeOcrResult      *self,
                                             guint             index);
guint            pe_ocr_result_get_width    (PeOcrResult      *self);
guint            pe_ocr_result_get_height   (PeOcrResult      *self);
double           pe_ocr_result_get_mean_confidence (PeOcrResult *self);
char            *pe_ocr_result_to_tsv       (PeOcrResult      *self);
char            *pe_ocr_result_get_text     (PeOcrResult      *self);
/* CPU time the recognising thread spent inside Tesseract for this result (0 if unknown): what
 * the throughput benchmark sets against everything else. Not stored in the TSV. */
void             pe_ocr_result_set_cpu_seconds (PeOcrResult   *self,
                                             double            seconds);
double           pe_ocr_result_get_cpu_seconds (PeOcrResult   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeOcrResult, pe_ocr_result_unref)

G_END_DECLS
