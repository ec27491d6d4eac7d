/* pe-pdfa-verify.h: a quick structural self-check of a written PDF/A file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "pe-pdfa-writer.h"

G_BEGIN_DECLS

/* Re-reads @path the way a reader would and fails with PE_ERROR_CORRUPT unless it is whole:
 * header and binary marker; the last %%EOF, startxref and a classic xref table whose every
 * in-use entry points at "N G obj" of that very object, which parses and ends in endobj; each
 * stream's /Length lands on endstream; a trailer with /Size, /Root and /ID and no /Encrypt;
 * a catalog with /Metadata and /OutputIntents; a page tree whose /Count matches its pages; an
 * unfiltered XMP packet that declares pdfaid:part and pdfaid:conformance of a known level.
 *
 * This is the writer's own layout (PDF/A-1 rules: no xref or object streams, no incremental
 * updates); such files from elsewhere are reported as PE_ERROR_UNSUPPORTED. It is cheap (a few
 * milliseconds, no Java) and meant to run on every file before it is delivered; it does not
 * replace Preflight's validation of the content. @level and @n_pages, if not NULL, receive
 * what the file declares. */
gboolean  pe_pdfa_verify_structure  (const char    *path,
                                     PePdfaLevel   *level,
                                     guint         *n_pages,
                                     GError       **error);

G_END_DECLS
