/* pe-sidecar.h: the JSON metadata file delivered next to each PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-store.h"

G_BEGIN_DECLS

#define PE_SIDECAR_FORMAT "posteingang-sidecar/1"

/* Document id, metadata, PDF file + sha256 + size + PDF/A level, OCR engine and languages,
 * each page (source, image sha256, dpi, size, OCR confidence) and the software version,
 * from the batch store: one source of truth. */
char *pe_sidecar_build (PeStore           *store,
                        PeDocumentRecord  *document,
                        GError           **error);

G_END_DECLS
