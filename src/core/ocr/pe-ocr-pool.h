/* pe-ocr-pool.h: N OCR workers, one Tesseract each, one per core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

#include "pe-ocr-result.h"

G_BEGIN_DECLS

#define PE_TYPE_OCR_POOL (pe_ocr_pool_get_type ())
G_DECLARE_FINAL_TYPE (PeOcrPool, pe_ocr_pool, PE, OCR_POOL, GObject)

/* @n_workers 0: one per core. Engines are created lazily in their worker thread. */
PeOcrPool   *pe_ocr_pool_new              (const char           *languages,
                                           guint                 n_workers);
guint        pe_ocr_pool_get_n_workers    (PeOcrPool            *self);
/* Takes @pix over (transfer full; it must have no other references, since Leptonica's reference
 * counts are not atomic): the worker frees it as soon as Tesseract has made its own copy, so a
 * page is not held twice while it is read. */
void         pe_ocr_pool_recognize_async  (PeOcrPool            *self,
                                           PIX                  *pix,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PeOcrResult *pe_ocr_pool_recognize_finish (PeOcrPool            *self,
                                           GAsyncResult         *result,
                                           GError              **error);

G_END_DECLS
