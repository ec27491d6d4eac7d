/* pe-pdf-image.h: page images encoded for a PDF image XObject (private to the pdf stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

#include "pe-pdfa-writer.h"

G_BEGIN_DECLS

typedef struct
{
  guint        width;
  guint        height;
  guint        bits_per_component;
  const char  *color_space;   /* "DeviceGray", "DeviceRGB"; NULL for a stencil mask */
  gboolean     image_mask;    /* 1 bpp stencil (/ImageMask true): painted where 0 */
  const char  *filter;        /* "CCITTFaxDecode", "DCTDecode", "FlateDecode" */
  char        *decode_parms;  /* dictionary text or NULL */
  GBytes      *data;          /* the stream's bytes, already encoded */
  gint64       encode_usec;   /* time spent encoding (0 for a passed-through JPEG) */
} PePdfImage;

void      _pe_pdf_image_clear       (PePdfImage          *image);
/* Sets @image->decode_parms from its filter, colour space, depth and size, which fully
 * determine them (so a stored image need not carry dictionary text). */
void      _pe_pdf_image_set_decode_parms (PePdfImage     *image);
gboolean  _pe_pdf_image_encode      (PePdfImage          *image,
                                     PIX                 *pix,
                                     PePdfImageEncoding   encoding,
                                     GBytes              *jpeg,
                                     int                  jpeg_quality,
                                     GError             **error);
/* 1, 8 (grey) or 32 bpp (RGB, no alpha) without colormap: the forms the encoders take. NULL if
 * @pix cannot be converted. */
PIX      *_pe_pdf_image_normalize   (PIX                 *pix);
/* CCITT Group 4 of a 1 bpp PIX, in memory (Leptonica's libtiff encoder, strip extracted). */
GBytes   *_pe_pdf_image_encode_g4   (PIX                 *pix,
                                     GError             **error);
/* Size and components from a JPEG's SOF marker; FALSE if it is not a baseline/progressive
 * 8-bit JPEG. */
gboolean  _pe_pdf_jpeg_get_info     (GBytes              *jpeg,
                                     guint               *width,
                                     guint               *height,
                                     guint               *components);
/* zlib deflate of @data into a new GBytes. */
GBytes   *_pe_pdf_deflate           (const guint8        *data,
                                     gsize                len,
                                     int                  level);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PePdfImage, _pe_pdf_image_clear)

G_END_DECLS
