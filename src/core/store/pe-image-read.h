/* pe-image-read.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "pe-types.h"

G_BEGIN_DECLS

/* Reads a stored page image: the same PIX as Leptonica's pixRead() (pixels, resolution,
 * input format, text), faster for the PNGs the store keeps as they were imported and the
 * binary PNM it writes for fresh scans. Returns NULL
 * with PE_ERROR_NOT_FOUND, PE_ERROR_CORRUPT or PE_ERROR_TOO_LARGE (message names the file). */
PIX *pe_store_read_image (const char  *path,
                          GError     **error);

/* For the tests: decodes PNG or binary PNM @data (which it may change; a PNM must have 32
 * readable bytes after @len) with the readers of our own only. Returns NULL with
 * *@unsupported set where pe_store_read_image() would call pixRead(), or with @error set
 * (messages name @name). */
PIX *_pe_store_decode (guint8      *data,
                       gsize        len,
                       const char  *name,
                       gboolean    *unsupported,
                       GError     **error);

G_END_DECLS
