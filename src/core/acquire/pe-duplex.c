/* pe-duplex.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pe-acquired-page.h"
#include "pe-duplex.h"
#include "pe-error.h"

void
pe_duplex_sheet_for_page (guint     index,
                          gboolean  duplex,
                          guint    *sheet,
                          gboolean *back_side)
{
  g_return_if_fail (sheet != NULL && back_side != NULL);

  *sheet = duplex ? index / 2 + 1 : index + 1;
  *back_side = duplex && index % 2 == 1;
}

guint
pe_duplex_back_sheet (guint n_sheets,
                      guint index)
{
  return index < n_sheets ? n_sheets - index : 0;
}

gboolean
pe_duplex_set_mismatch_error (GError **error,
                              guint    n_fronts,
                              guint    n_backs)
{
  g_set_error (error, PE_ERROR, PE_ERROR_SHEET_MISMATCH,
               g_dngettext (GETTEXT_PACKAGE,
                            "The backs pass has %u sheet, but the fronts pass had %u: a sheet "
                            "was skipped, fed twice or is left in the feeder. All pages are "
                            "kept in the order they were scanned; check the stack, then scan "
                            "the backs again.",
                            "The backs pass has %u sheets, but the fronts pass had %u: a sheet "
                            "was skipped, fed twice or is left in the feeder. All pages are "
                            "kept in the order they were scanned; check the stack, then scan "
                            "the backs again.", n_backs),
               n_backs, n_fronts);
  return FALSE;
}

gboolean
pe_duplex_collate_order (guint    n_fronts,
                         guint    n_backs,
                         guint   *order,
                         GError **error)
{
  g_return_val_if_fail (order != NULL || n_fronts + n_backs == 0, FALSE);

  if (n_fronts != n_backs)
    {
      for (guint i = 0; i < n_fronts + n_backs; i++)
        order[i] = i;
      return pe_duplex_set_mismatch_error (error, n_fronts, n_backs);
    }

  /* Sheet s (0-based) has its front at feed position s and its back at 2n - 1 - s: the
   * turned stack feeds the last sheet's back first. */
  for (guint s = 0; s < n_fronts; s++)
    {
      order[2 * s] = s;
      order[2 * s + 1] = 2 * n_fronts - 1 - s;
    }

  return TRUE;
}

gboolean
pe_duplex_collate_pages (GPtrArray  *pages,
                         guint       n_fronts,
                         GError    **error)
{
  g_autofree guint *order = NULL;
  g_autofree gpointer *copy = NULL;
  guint n;

  g_return_val_if_fail (pages != NULL, FALSE);
  g_return_val_if_fail (n_fronts <= pages->len, FALSE);

  n = pages->len;
  order = g_new (guint, MAX (n, 1));
  if (!pe_duplex_collate_order (n_fronts, n - n_fronts, order, error))
    return FALSE;

  copy = g_memdup2 (pages->pdata, sizeof (gpointer) * MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      PeAcquiredPage *page = copy[order[i]];

      page->sheet = i / 2 + 1;
      page->back_side = i % 2 == 1;
      pages->pdata[i] = page;
    }

  return TRUE;
}
