/* pe-image-write.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "pe-types.h"

G_BEGIN_DECLS

/* Binary PNM of a fresh scan, for the batch store: P4 for 1 bpp (1 is black, as in the PIX),
 * P5 for 8 bpp grey, P6 for 32 bpp RGB (alpha dropped); pixRead() and pe_store_read_image()
 * give the PIX back. Returns NULL (and writes nothing) for other depths and colormapped
 * pages, which pixWriteMem() takes. Free with g_free(). */
guint8   *pe_store_encode_pnm   (PIX    *pix,
                                 gsize  *len);

G_END_DECLS
