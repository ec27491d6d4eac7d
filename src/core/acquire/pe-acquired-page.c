/* pe-acquired-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-acquired-page.h"

/* Frees what @page owns and zeroes it, so a callback that stole @pix or @original with
 * g_steal_pointer() leaves nothing behind to free twice. */
void
pe_acquired_page_clear (PeAcquiredPage *page)
{
  g_return_if_fail (page != NULL);

  if (page->pix != NULL)
    pixDestroy (&page->pix);
  g_clear_pointer (&page->original, g_bytes_unref);
  g_clear_pointer (&page->source, g_free);
  page->original_ext = NULL;
  page->sheet = 0;
  page->back_side = FALSE;
  page->read_end_usec = 0;
}
