/* pe-pdf-scan.h: the pages of a scanned PDF read as the images they are, without rendering
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <allheaders.h>

G_BEGIN_DECLS

typedef struct _PePdfScan PePdfScan;

/* Scanners, MFDs and img2pdf write a PDF page as one image that covers it and nothing else.
 * Rendering such a page decodes the image into one 35 MB copy (at 300 dpi, in colour) and
 * paints it into another (~0.3 s of CPU), and a bitonal scan comes out as an 8 bpp page;
 * read through qpdf, the image is taken as it is (JPEG, or PNG data) or decoded once into the
 * page (Group 4 fax code at 1 bpp, Flate without predictor). NULL when qpdf cannot read
 * the file or it is encrypted: then every page is rendered. */
PePdfScan *pe_pdf_scan_open  (const char *path);
void       pe_pdf_scan_free  (PePdfScan  *scan);
int        pe_pdf_scan_get_n_pages (PePdfScan *scan);

/* Page @index (from 0) when it is exactly such a page: TRUE with either @file, an image file
 * as the store takes it (a JPEG: the DCT stream as it is in the file, 8 bit grey or RGB; or,
 * with @is_png, a PNG around a Flate stream with PNG predictors, which already is a PNG's image
 * data), or @pix (a CCITT Group 4 image, decoded: 1 bpp; a Flate image without predictor,
 * decoded: 8 bpp grey or 32 bpp RGB), and @dpi, its resolution on the page (72 to @max_dpi).
 * FALSE for anything else (rotated, cropped, text, annotations, masks, other filters or
 * colour spaces, finer than @max_dpi, a damaged stream): the caller renders the page. */
gboolean   pe_pdf_scan_page  (PePdfScan  *scan,
                              int         index,
                              guint       max_dpi,
                              GBytes    **file,
                              gboolean   *is_png,
                              PIX       **pix,
                              guint      *dpi);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PePdfScan, pe_pdf_scan_free)

G_END_DECLS
