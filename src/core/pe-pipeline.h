/* pe-pipeline.h: acquire → OCR → PDF/A → outbox → delivery, the one API the CLI and the app use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "pe-page-clean.h"
#include "pe-scanner.h"
#include "pe-splitter.h"
#include "pe-pdfa-writer.h"
#include "pe-store.h"

G_BEGIN_DECLS

#define PE_TYPE_PIPELINE (pe_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (PePipeline, pe_pipeline, PE, PIPELINE, GObject)

/* Summary of one pe_pipeline_process_async() run. */
typedef struct
{
  guint  documents;      /* documents delivered in this run */
  guint  pages;          /* pages in those documents */
  double seconds;        /* wall time */
  double decode_seconds; /* CPU time of decoding the stored originals, summed */
  double clean_seconds;  /* CPU time of cleaning them (and finding separator codes), summed */
  double ocr_seconds;    /* wall time of cleanup and recognition, overlapped */
  double pdf_seconds;    /* wall time of building the PDF/A files */
  double tesseract_seconds;  /* CPU time inside Tesseract (image, recognition, TSV), summed */
  double encode_seconds;     /* encoding the pages for the PDF (in the clean workers) */
} PeProcessSummary;

/* Opens (creating if needed) the batch store in @store_dir (SQLite file + page images).
 * Defaults: languages "deu", PDF/A-2b, outbox folder "./outbox". */
PePipeline  *pe_pipeline_new                (const char          *store_dir,
                                             GError             **error);
const char  *pe_pipeline_get_store_dir      (PePipeline          *self);
PeStore     *pe_pipeline_get_store          (PePipeline          *self);
void         pe_pipeline_set_languages      (PePipeline          *self,
                                             const char          *languages);
void         pe_pipeline_set_pdfa_level     (PePipeline          *self,
                                             PePdfaLevel          level);
/* Frees the OCR engines now, if no process run is using them (they are made again for the next
 * run): before the program exits, since Tesseract complains about engines still alive in its
 * static destructors, and to give their memory back when idle. */
void         pe_pipeline_release_ocr        (PePipeline          *self);
/* How the batches processed from now on become documents (default: PE_SPLIT_SEPARATOR, a
 * new document after each separator sheet), and the texts of separator codes (';'-separated, as the
 * profile key SeparatorTexts; NULL: "PATCHT"). FALSE with PE_ERROR_INVALID for a bad text. */
gboolean     pe_pipeline_set_split          (PePipeline          *self,
                                             const PeSplitParams *params,
                                             const char          *separator_texts,
                                             GError             **error);
/* Cleanup for the pages processed from now on (default: pe_clean_params_init_default()). */
void         pe_pipeline_set_clean_params   (PePipeline          *self,
                                             const PeCleanParams *params);
void         pe_pipeline_set_outbox_dir     (PePipeline          *self,
                                             const char          *dir);
const char  *pe_pipeline_get_outbox_dir     (PePipeline          *self);

/* A new, empty batch; returns its id (> 0) or 0 with @error set. */
gint64       pe_pipeline_new_batch          (PePipeline          *self,
                                             const char          *label,
                                             GError             **error);

/* Scans into @batch_id. Each page is committed to the store the moment it is read and
 * announced by ::page-added. Finishes with the number of pages recorded, also when @error is
 * set (a jam, a cancel): those pages stay in the batch. */
void         pe_pipeline_scan_async         (PePipeline          *self,
                                             gint64               batch_id,
                                             PeScanner           *scanner,
                                             const PeScanOptions *options,
                                             PeSheetFunc          sheet_func,
                                             gpointer             sheet_data,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
guint        pe_pipeline_scan_finish        (PePipeline          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Imports files (PNG, TIFF, JPEG, PDF) into @batch_id, pages in order. Finishes with the number
 * of pages recorded, also when @error is set. */
void         pe_pipeline_import_async       (PePipeline          *self,
                                             gint64               batch_id,
                                             const char * const  *paths,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
guint        pe_pipeline_import_finish      (PePipeline          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* After a manual duplex run (a fronts pass of @n_fronts sheets, the stack turned over, a backs
 * pass of @n_backs, last sheet first), the last @n_fronts + @n_backs pages of @batch_id are
 * put into reading order: front 1, back 1, front 2 … Blocking (one store transaction). When
 * the counts differ, nothing is reordered and PE_ERROR_SHEET_MISMATCH says what to do; the
 * pages stay in the batch either way. Must come before the batch's documents are made. */
gboolean     pe_pipeline_collate_manual_duplex (PePipeline       *self,
                                             gint64               batch_id,
                                             guint                n_fronts,
                                             guint                n_backs,
                                             GError             **error);

/* OCRs every page of @batch_id not yet read, builds its document(s) as PDF/A, puts them in the
 * outbox and delivers the outbox. Resumes where a previous run stopped. Emits ::progress.
 * Called while a scan or import of @batch_id started earlier on this pipeline is running, it
 * also reads the pages that acquisition records, as they come, and finishes after it: if the
 * acquisition stopped early (fault, cancel), with PE_ERROR_INVALID and no document made, the
 * pages kept and read. */
void         pe_pipeline_process_async      (PePipeline          *self,
                                             gint64               batch_id,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean     pe_pipeline_process_finish     (PePipeline          *self,
                                             GAsyncResult        *result,
                                             PeProcessSummary    *summary,
                                             GError             **error);

/* Signals, all emitted in the thread-default main context of the pipeline's creator:
 *   ::page-added (gint64 batch_id, gint64 page_id, const char *image_path)
 *   ::progress   (const char *stage, guint done, guint total)   stage: "scan", "import", "ocr",
 *                                                                "pdf", "deliver"
 *   ::document-delivered (const char *document_id, const char *pdf_path)
 */

G_END_DECLS
