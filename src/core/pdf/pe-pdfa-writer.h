/* pe-pdfa-writer.h: writes PDF/A documents directly (no Ghostscript round trip)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

#include "pe-ocr-result.h"
#include "pe-pdf-page.h"

G_BEGIN_DECLS

typedef enum
{
  PE_PDFA_2B = 0,  /* default */
  PE_PDFA_1B,
  PE_PDFA_2U,
  PE_PDFA_3B,
} PePdfaLevel;

/* Descriptive metadata; every field may be NULL. Strings are UTF-8, dates ISO 8601. Goes into
 * the Info dictionary and the XMP packet (own fields in the Posteingang XMP schema). */
typedef struct
{
  const char *document_id;      /* stable document UUID; also seeds the trailer /ID */
  const char *title;            /* subject line → dc:title */
  const char *sender;           /* → dc:creator */
  const char *letter_date;      /* date of the letter → dc:date */
  const char *document_type;
  const char *case_reference;   /* Aktenzeichen / Kassenzeichen */
  const char *org_unit;
  const char *intake_date;      /* date received */
  const char *protocol_ref;     /* reference to the scan protocol / audit record */
  const char *languages;        /* OCR languages, e.g. "deu" → dc:language */
  GBytes     *attachment_xml;   /* PDF/A-3b only: sidecar XML embedded with AFRelationship;
                                 * ignored for the other levels */
  const char *attachment_name;  /* its file name; "metadata.xml" if NULL */
} PePdfMetadata;

#define PE_TYPE_PDFA_WRITER (pe_pdfa_writer_get_type ())
G_DECLARE_FINAL_TYPE (PePdfaWriter, pe_pdfa_writer, PE, PDFA_WRITER, GObject)

/* Starts a document that will be written to @path. Nothing appears at @path before
 * pe_pdfa_writer_finish() succeeds; pages stream into a temporary file beside it, which is
 * removed if the writer is disposed unfinished. */
PePdfaWriter *pe_pdfa_writer_new         (PePdfaLevel           level,
                                          const char           *path,
                                          GError              **error);
void          pe_pdfa_writer_set_jpeg_quality (PePdfaWriter    *self,
                                          int                   quality);
/* Background of MRC pages: the resolution it is reduced to (by the coarsest whole-number factor
 * that stays at or above @dpi; default 100, so 300 and 200 dpi pages get a 100 dpi background)
 * and its JPEG quality (default 60). */
void          pe_pdfa_writer_set_mrc_background (PePdfaWriter  *self,
                                          int                   dpi,
                                          int                   quality);
/* CreationDate/ModDate of the document (Info and XMP); default: when the writer was made. */
void          pe_pdfa_writer_set_creation_date (PePdfaWriter   *self,
                                          GDateTime            *date);
/* Adds a page. The page size comes from the pixel size and the resolution stored in @pix
 * (pixGetXRes/pixGetYRes; 300 dpi if unset). @jpeg, if not NULL, is the page's original JPEG
 * file, embedded untouched instead of re-encoding @pix (ignored with PE_PDF_IMAGE_MRC). @ocr,
 * if not NULL, becomes the invisible text layer; its boxes are in @pix's pixel coordinates. */
gboolean      pe_pdfa_writer_add_page    (PePdfaWriter         *self,
                                          PIX                  *pix,
                                          PePdfImageEncoding    encoding,
                                          GBytes               *jpeg,
                                          PeOcrResult          *ocr,
                                          GCancellable         *cancellable,
                                          GError              **error);
/* Adds a grey or colour page as mixed raster content: the text at full resolution as 1 bpp
 * CCITT G4 stencil masks (/ImageMask, lossless, never JBIG2), one per ink — near-black text and
 * up to three dominant colours such as a blue stamp or signature, each painted in its colour —
 * over a JPEG background at about 100 dpi from which the text has been removed.
 *
 * @mask (1 bpp, same size as @pix, 1 = text) says which pixels are text; it is kept exactly,
 * i.e. the union of the painted masks is @mask, split by the pixels' colours in @pix. With
 * @mask NULL the writer finds the text itself: luminance, background normalisation and a
 * bounded global Otsu threshold, isolated specks of ≤ 2 × 2 pixels dropped; found pixels of a
 * colour that matches no ink (photos, rare colours) then stay in the background.
 * A 1 bpp @pix is written as by pe_pdfa_writer_add_page() (CCITT G4). The page size and @ocr
 * are handled as there. */
gboolean      pe_pdfa_writer_add_page_mrc (PePdfaWriter        *self,
                                          PIX                  *pix,
                                          PIX                  *mask,
                                          PeOcrResult          *ocr,
                                          GCancellable         *cancellable,
                                          GError              **error);
/* Adds a page encoded beforehand (pe_pdf_page_new(), possibly in another thread, or
 * pe_pdf_page_new_from_bytes() after a restart): its streams are copied, nothing is encoded.
 * @ocr as in pe_pdfa_writer_add_page(), its boxes in the page's pixels. The writer's JPEG and
 * MRC settings do not apply; they were the page's. @page is only read and may be added to
 * several documents. */
gboolean      pe_pdfa_writer_add_pdf_page (PePdfaWriter        *self,
                                          PePdfPage            *page,
                                          PeOcrResult          *ocr,
                                          GCancellable         *cancellable,
                                          GError              **error);
/* Writes metadata, xref and trailer, fsyncs and renames into place. */
gboolean      pe_pdfa_writer_finish      (PePdfaWriter         *self,
                                          const PePdfMetadata  *metadata,
                                          GError              **error);

const char   *pe_pdfa_level_to_string    (PePdfaLevel           level);  /* "2b" */
gboolean      pe_pdfa_level_from_string  (const char           *str,
                                          PePdfaLevel          *level);

G_END_DECLS
