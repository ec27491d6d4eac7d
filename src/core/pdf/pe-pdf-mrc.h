/* pe-pdf-mrc.h: mixed raster content — text as bitonal stencil masks over a low-resolution
 * JPEG background (private to the pdf stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <allheaders.h>

#include "pe-pdf-image.h"

G_BEGIN_DECLS

/* One layer for near-black text plus at most three dominant ink colours (a blue stamp, a red
 * stamp, a blue signature). More would rarely pay for their masks. */
#define PE_PDF_MRC_MAX_LAYERS 4

typedef struct
{
  PePdfImage  mask;       /* 1 bpp CCITT G4, image_mask set: painted where the text is */
  guint8      rgb[3];     /* the ink colour it is painted in */
  guint       n_pixels;
} PePdfMrcLayer;

typedef struct
{
  PePdfImage     background;   /* JPEG, DeviceRGB or DeviceGray */
  guint          factor;       /* one background pixel covers factor × factor page pixels */
  gboolean       grey;         /* the page and every ink are grey: paint with "g" */
  guint          n_layers;
  PePdfMrcLayer  layers[PE_PDF_MRC_MAX_LAYERS];
  gint64         encode_usec;
} PePdfMrc;

void      _pe_pdf_mrc_clear            (PePdfMrc   *mrc);
/* The coarsest whole-number reduction of @dpi that stays at or above @target_dpi (1 if @dpi is
 * below it already). */
guint     _pe_pdf_mrc_choose_factor    (double      dpi,
                                        int         target_dpi);
/* The text of an 8 or 32 bpp page, 1 = text: background normalisation, then a global Otsu
 * threshold held within fixed bounds (so that an empty page does not turn its paper noise
 * into "text"), without specks of at most 2 × 2 pixels (those with other ink closer than 2
 * pixels may stay). The paper tone and the threshold are measured on every fourth pixel of
 * every fourth row; the page itself is read once. */
PIX      *_pe_pdf_mrc_find_text        (PIX        *pix);
/* Splits @pix (8 or 32 bpp) into ink layers and a background reduced by @factor.
 * @mask (1 bpp, same size; NULL: _pe_pdf_mrc_find_text()) says which pixels are text. A given
 * mask is kept exactly: the union of the layers is @mask. Found text whose colour matches no
 * layer's ink (a rare colour, a photo) is left in the background instead. */
gboolean  _pe_pdf_mrc_encode           (PePdfMrc   *mrc,
                                        PIX        *pix,
                                        PIX        *mask,
                                        guint       factor,
                                        int         jpeg_quality,
                                        GError    **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PePdfMrc, _pe_pdf_mrc_clear)

G_END_DECLS
