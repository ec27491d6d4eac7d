/* pe-ocr-engine.h: one Tesseract instance, created once and reused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

#include "pe-ocr-result.h"

G_BEGIN_DECLS

#define PE_TYPE_OCR_ENGINE (pe_ocr_engine_get_type ())
G_DECLARE_FINAL_TYPE (PeOcrEngine, pe_ocr_engine, PE, OCR_ENGINE, GObject)

/* @languages: Tesseract language string ("deu", "deu+eng"). Fails with PE_ERROR_OCR and a
 * translated message naming the missing language pack. Not thread-safe: use one engine per
 * thread (see PeOcrPool). */
PeOcrEngine *pe_ocr_engine_new        (const char    *languages,
                                       GError       **error);
const char  *pe_ocr_engine_get_languages (PeOcrEngine *self);
/* Blocking; honours @cancellable while recognising. */
PeOcrResult *pe_ocr_engine_recognize  (PeOcrEngine   *self,
                                       PIX           *pix,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* The same, taking a reference to @pix over: it is dropped (in the calling thread) as soon as
 * Tesseract has made its own copy, so the page is not held twice while it is read. */
PeOcrResult *pe_ocr_engine_recognize_take (PeOcrEngine   *self,
                                           PIX           *pix,
                                           GCancellable  *cancellable,
                                           GError       **error);

G_END_DECLS
