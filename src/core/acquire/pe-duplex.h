/* pe-duplex.h: sheets and sides of duplex scans, and collating manual duplex runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An ADF duplex scan delivers front, back, front, back … A manual duplex run is two simplex
 * passes: the fronts (pages 1, 3, 5 …), then the stack turned over, which feeds the last sheet
 * first, so the backs come as 6, 4, 2. Collating puts both into reading order 1, 2, 3 … Plain
 * functions without state; the scanner, the pipeline and the app share them.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sheet (1-based) and side of the page at feed position @index (0-based) of one ADF pass. */
void      pe_duplex_sheet_for_page    (guint       index,
                                       gboolean    duplex,
                                       guint      *sheet,
                                       gboolean   *back_side);
/* Sheet (1-based) whose back is page @index (0-based) of a backs pass for @n_sheets sheets;
 * 0 when the backs pass has no sheet left for it. */
guint     pe_duplex_back_sheet        (guint       n_sheets,
                                       guint       index);
/* Sets PE_ERROR_SHEET_MISMATCH with a translated message saying what to do. Returns FALSE. */
gboolean  pe_duplex_set_mismatch_error (GError   **error,
                                        guint      n_fronts,
                                        guint      n_backs);
/* Reading order of a manual duplex run recorded in feed order (@n_fronts fronts, then
 * @n_backs backs, last sheet first): fills @order[0 … n_fronts + n_backs - 1] with feed
 * positions, front 1, back 1, front 2 … When the counts differ, @order is the feed order
 * (nothing is lost or guessed) and FALSE is returned with PE_ERROR_SHEET_MISMATCH. */
gboolean  pe_duplex_collate_order     (guint       n_fronts,
                                       guint       n_backs,
                                       guint      *order,
                                       GError    **error);
/* The same on @pages (PeAcquiredPage *, feed order): reorders the array in place and sets
 * each page's sheet and back_side. On a mismatch @pages is left as it is. */
gboolean  pe_duplex_collate_pages     (GPtrArray  *pages,
                                       guint       n_fronts,
                                       GError    **error);

G_END_DECLS
