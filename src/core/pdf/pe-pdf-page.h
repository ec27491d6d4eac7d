/* pe-pdf-page.h: a page's images encoded for the PDF once, right after cleanup, so that
 * assembling the document only copies bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

G_BEGIN_DECLS

/* What the caller asks for. */
typedef enum
{
  PE_PDF_IMAGE_AUTO = 0,  /* 1 bpp → CCITT G4, 8/32 bpp → JPEG */
  PE_PDF_IMAGE_FLATE,     /* lossless */
  PE_PDF_IMAGE_MRC,       /* 8/32 bpp → mixed raster content, text found automatically (see
                           * pe_pdfa_writer_add_page_mrc()); 1 bpp → CCITT G4 */
} PePdfImageEncoding;

/* What a page became. */
typedef enum
{
  PE_PDF_PAGE_G4 = 0,  /* one 1 bpp image, CCITT Group 4 */
  PE_PDF_PAGE_JPEG,    /* one grey or colour JPEG (encoded here or the scanner's own) */
  PE_PDF_PAGE_FLATE,   /* one lossless Flate image */
  PE_PDF_PAGE_MRC,     /* a JPEG background under up to four G4 stencil masks */
} PePdfPageEncoding;

/* Zero fields take the defaults, as does a NULL PePdfPageParams. */
typedef struct
{
  int   jpeg_quality;  /* JPEG pages, 1–100; default 75 */
  int   mrc_dpi;       /* MRC background resolution, 50–300 (the coarsest whole-number
                        * reduction at or above it); default 100 */
  int   mrc_quality;   /* MRC background JPEG quality, 1–100; default 60 */
  PIX  *mrc_mask;      /* MRC: 1 bpp, the page's size, 1 = text, kept exactly (see
                        * pe_pdfa_writer_add_page_mrc()); NULL: the text is found */
} PePdfPageParams;

#define PE_TYPE_PDF_PAGE (pe_pdf_page_get_type ())
G_DECLARE_FINAL_TYPE (PePdfPage, pe_pdf_page, PE, PDF_PAGE, GObject)

/* Encodes @pix as pe_pdfa_writer_add_page() would (@jpeg: the page's original JPEG, embedded
 * untouched if it is the same picture; ignored with PE_PDF_IMAGE_MRC). The page size follows
 * from @pix's pixels and resolution (300 dpi if unset). Thread-safe: any number of pages may
 * be encoded at once from worker threads; @pix is only read. */
PePdfPage         *pe_pdf_page_new               (PIX                    *pix,
                                                  PePdfImageEncoding      encoding,
                                                  GBytes                 *jpeg,
                                                  const PePdfPageParams  *params,
                                                  GCancellable           *cancellable,
                                                  GError                **error);

/* A versioned binary container of the encoded streams (format described in pe-pdf-page.c),
 * for the batch store: a restart rebuilds the PDF from it without encoding again. */
GBytes            *pe_pdf_page_serialize         (PePdfPage              *self);
/* Fails with PE_ERROR_CORRUPT on anything but a whole container of a known version. */
PePdfPage         *pe_pdf_page_new_from_bytes    (GBytes                 *bytes,
                                                  GError                **error);

guint              pe_pdf_page_get_width         (PePdfPage              *self);  /* pixels */
guint              pe_pdf_page_get_height        (PePdfPage              *self);
void               pe_pdf_page_get_dpi           (PePdfPage              *self,
                                                  guint                  *x_dpi,
                                                  guint                  *y_dpi);
/* MediaBox size in points */
void               pe_pdf_page_get_size_pt       (PePdfPage              *self,
                                                  double                 *width,
                                                  double                 *height);
PePdfPageEncoding  pe_pdf_page_get_encoding      (PePdfPage              *self);
/* Image XObjects: 1, or for MRC the background plus one per ink */
guint              pe_pdf_page_get_n_images      (PePdfPage              *self);
/* Bytes of all image streams together */
gsize              pe_pdf_page_get_encoded_size  (PePdfPage              *self);
/* Time pe_pdf_page_new() spent encoding; 0 for a JPEG passed through */
gint64             pe_pdf_page_get_encode_usec   (PePdfPage              *self);

const char        *pe_pdf_page_encoding_to_string (PePdfPageEncoding     encoding);  /* "g4" */

G_END_DECLS
