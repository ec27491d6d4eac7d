/* pe-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <time.h>

#include "pe-types.h"

const char *
pe_page_state_to_string (PePageState state)
{
  switch (state)
    {
    case PE_PAGE_ACQUIRED: return "acquired";
    case PE_PAGE_CLEANED: return "cleaned";
    case PE_PAGE_OCR_DONE: return "ocr-done";
    case PE_PAGE_FAILED: return "failed";
    default: return "unknown";
    }
}

const char *
pe_document_state_to_string (PeDocumentState state)
{
  switch (state)
    {
    case PE_DOCUMENT_OPEN: return "open";
    case PE_DOCUMENT_READY: return "ready";
    case PE_DOCUMENT_BUILT: return "built";
    case PE_DOCUMENT_QUEUED: return "queued";
    case PE_DOCUMENT_DELIVERED: return "delivered";
    case PE_DOCUMENT_FAILED: return "failed";
    default: return "unknown";
    }
}

double
pe_thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
