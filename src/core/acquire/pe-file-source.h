/* pe-file-source.h: pages from PNG, TIFF, JPEG and PDF files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "pe-acquired-page.h"

G_BEGIN_DECLS

/* Blocking. Calls @page_func for every page of @path in order. PDF pages are rendered at
 * @pdf_dpi (0: 300). Missing, corrupt, encrypted or too large files fail with PE_ERROR_* codes
 * and a translated message, before any page is handed on where that can be known up front. */
gboolean pe_file_source_import        (const char           *path,
                                       guint                 pdf_dpi,
                                       PePageFunc            page_func,
                                       gpointer              user_data,
                                       GCancellable         *cancellable,
                                       GError              **error);

G_END_DECLS
