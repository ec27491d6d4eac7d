/* pe-types.h: small shared types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <allheaders.h>

G_BEGIN_DECLS

/* Leptonica's destructors take PIX **; this lets g_autoptr(PIX) work. */
static inline void
pe_pix_free (PIX *pix)
{
  pixDestroy (&pix);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PIX, pe_pix_free)

/* Lifecycle of a page in the batch store. Each value is committed before the next stage starts,
 * so a restart resumes from the last one. */
typedef enum
{
  PE_PAGE_ACQUIRED = 0,   /* image file on disk, row committed */
  PE_PAGE_CLEANED  = 1,
  PE_PAGE_OCR_DONE = 2,
  PE_PAGE_FAILED   = 9,
} PePageState;

typedef enum
{
  PE_DOCUMENT_OPEN      = 0,   /* pages being collected */
  PE_DOCUMENT_READY     = 1,   /* all pages OCRed, waiting for PDF */
  PE_DOCUMENT_BUILT     = 2,   /* PDF/A written into the store */
  PE_DOCUMENT_QUEUED    = 3,   /* in the outbox */
  PE_DOCUMENT_DELIVERED = 4,
  PE_DOCUMENT_FAILED    = 9,
} PeDocumentState;

const char *pe_page_state_to_string     (PePageState     state);
const char *pe_document_state_to_string (PeDocumentState state);

/* CPU time of the calling thread in seconds: what a stage costs, whatever else runs. */
double      pe_thread_cpu_seconds       (void);

G_END_DECLS
