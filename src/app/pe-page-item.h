/* pe-page-item.h: one page of the current batch in the page grid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PE_TYPE_PAGE_ITEM (pe_page_item_get_type ())
G_DECLARE_FINAL_TYPE (PePageItem, pe_page_item, PE, PAGE_ITEM, GObject)

PePageItem   *pe_page_item_new            (gint64        page_id,
                                           guint         number,
                                           const char   *image_path);
gint64        pe_page_item_get_page_id    (PePageItem   *self);
guint         pe_page_item_get_number     (PePageItem   *self);
/* The page's place in reading order (1-based), e.g. after a manual duplex run is collated. */
void          pe_page_item_set_number     (PePageItem   *self,
                                           guint         number);
const char   *pe_page_item_get_image_path (PePageItem   *self);
GdkPaintable *pe_page_item_get_thumbnail  (PePageItem   *self);
gboolean      pe_page_item_get_loading    (PePageItem   *self);
gboolean      pe_page_item_get_failed     (PePageItem   *self);

/* Decodes the page image at most @width × @height pixels on a worker thread; sets
 * :thumbnail (or :failed) in the main context when done. */
void          pe_page_item_load_thumbnail (PePageItem   *self,
                                           int           width,
                                           int           height,
                                           GCancellable *cancellable);

G_END_DECLS
