/* pe-pdf-page-private.h: the encoded page as the writer reads it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-pdf-page.h"
#include "pe-pdf-image.h"
#include "pe-pdf-mrc.h"

G_BEGIN_DECLS

#define PE_PDF_PAGE_MAX_IMAGES (1 + PE_PDF_MRC_MAX_LAYERS)

/* Immutable once made, so a page can be shared between threads and documents. */
struct _PePdfPage
{
  GObject            parent_instance;

  guint              width;     /* pixels */
  guint              height;
  guint              x_dpi;
  guint              y_dpi;
  PePdfPageEncoding  encoding;
  guint              factor;    /* MRC: one background pixel covers factor × factor pixels */
  guint              n_images;
  /* In drawing order: the page image, or the MRC background and then the stencil masks, each
   * painted in its ink colour @rgb. */
  PePdfImage         images[PE_PDF_PAGE_MAX_IMAGES];
  guint8             rgb[PE_PDF_PAGE_MAX_IMAGES][3];
  gint64             encode_usec;
};

G_END_DECLS
