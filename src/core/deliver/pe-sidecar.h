/* pe-sidecar.h: the metadata delivered next to each PDF (JSON) and embedded in PDF/A-3b (XML)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-store.h"

G_BEGIN_DECLS

#define PE_SIDECAR_FORMAT "posteingang-sidecar/1"
#define PE_SIDECAR_XML_NAMESPACE "urn:de:posteingang:sidecar:1"

/* Document id, metadata, PDF file + sha256 + size + PDF/A level, OCR engine and languages,
 * each page (source, image sha256, dpi, size, OCR confidence) and the software version,
 * from the batch store: one source of truth. */
char *pe_sidecar_build (PeStore           *store,
                        PeDocumentRecord  *document,
                        GError           **error);

/* The same content as XML in PE_SIDECAR_XML_NAMESPACE, valid against
 * data/schema/posteingang-sidecar-1.xsd. The stored free-form JSON (document metadata, cleanup
 * reports) becomes <field name="…" type="…"> and <item type="…"> elements. Without
 * @include_pdf the <pdf> element (file, sha256, bytes, PDF/A level) is left out: that is the
 * form a PDF/A-3b file embeds, since a PDF cannot contain its own hash; the PDF then need not
 * exist yet. */
char *pe_sidecar_build_xml (PeStore           *store,
                            PeDocumentRecord  *document,
                            gboolean           include_pdf,
                            GError           **error);

G_END_DECLS
