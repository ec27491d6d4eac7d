/* pe-acquired-page.h: one page as a source hands it to the batch store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

G_BEGIN_DECLS

typedef struct
{
  PIX        *pix;           /* decoded image, 1/8/32 bpp, resolution set (pixSetResolution);
                              * or, when @original is a whole PNG/JPEG kept as is, a header
                              * only (pixCreateHeader: size, depth, resolution, no pixels):
                              * its pixels are decoded once, by the stage that needs them */
  GBytes     *original;      /* the source's own encoded image to keep as is (a JPEG or PNG
                              * file imported whole, a scanned frame as PNM), or NULL: then the
                              * store writes @pix */
  const char *original_ext;  /* "jpg", "png", "tif" when @original is set */
  char       *source;        /* where it came from: "test:0", "/path/scan.pdf#3" */
  guint       sheet;         /* 1-based physical sheet in this acquisition */
  gboolean    back_side;     /* duplex back */
  gint64      read_end_usec; /* g_get_monotonic_time () just after the page's last read from
                              * the device, 0 if not a scan: for measuring what follows */
} PeAcquiredPage;

/* Called for each page on the thread doing the acquisition, before the next page is read, so
 * the page can be recorded the moment it exists. Return FALSE with @error set to stop. The page
 * is owned by the caller of the callback. */
typedef gboolean (*PePageFunc) (PeAcquiredPage  *page,
                                gpointer         user_data,
                                GError         **error);

void pe_acquired_page_clear (PeAcquiredPage *page);

G_END_DECLS
