/* pe-scanner.h: scanning from one SANE device
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SANE backends are not thread-safe: every SANE call (for every device) runs on the process's
 * one SANE thread (pe-sane-worker.c says why); a PeScanner queues its scan jobs there.
 */
#pragma once

#include <gio/gio.h>

#include "pe-acquired-page.h"
#include "pe-frame-source.h"

G_BEGIN_DECLS

typedef struct
{
  const char        *source;      /* NULL: device default; "flatbed", "adf", "duplex" matched
                                   * against the device's source names, or an exact name */
  guint              resolution;  /* dpi, 0: device default */
  const char        *mode;        /* NULL, "color", "gray", "lineart" or an exact SANE mode */
  const char *const *options;     /* further "name=value" pairs, or NULL */
  guint              max_pages;   /* 0: flatbed one page, feeder until empty */
  const char        *page_size;   /* NULL: the device's default area; "a3", "a4", "a5", "a6",
                                   * "b5", "letter", "legal": that area from the top left corner
                                   * (clipped to what the device can); "auto": the device finds
                                   * the paper size where it can (see pe-scanner.c) */
  const char *const *soft_options;  /* "name=value" pairs set only where the device offers that
                                     * option (active and settable), skipped elsewhere: for
                                     * device-independent profiles (brightness, contrast, …) */
  guint              backs_of;    /* 0, or N: this is the backs pass of a manual duplex run
                                   * whose fronts pass gave N sheets. The turned-over stack
                                   * comes last sheet first, so the pages are marked back_side
                                   * with sheets N, N-1 … 1; a pass with more or fewer sheets
                                   * fails with PE_ERROR_SHEET_MISMATCH (pages kept). */
} PeScanOptions;

/* Called on the scan thread before sheet @sheet (1-based, counted in feed order of this pass)
 * is started; returns "name=value"
 * pairs to set for that sheet (e.g. a simulated scanner's file name; an empty array sets
 * nothing), or NULL when there is no further sheet. Lets a caller feed recorded pages without
 * device-specific code. The scanner frees the array with g_strfreev(). Options can only be set
 * while the device is idle, so before a sheet with options the previous page is ended with
 * sane_cancel(). */
typedef char **(*PeSheetFunc) (guint    sheet,
                               gpointer user_data);

/* TRUE for a page size name PeScanOptions.page_size knows ("a4", … "auto"); its size in mm
 * (0 × 0 for "auto"). */
gboolean pe_scan_page_size_lookup (const char *name,
                                   double     *width_mm,
                                   double     *height_mm);

#define PE_TYPE_SCANNER (pe_scanner_get_type ())
G_DECLARE_FINAL_TYPE (PeScanner, pe_scanner, PE, SCANNER, GObject)

PeScanner  *pe_scanner_new             (const char           *device_name);
/* A scanner that reads from @source instead of opening a SANE device (recorded frames for
 * tests and benchmarks); @name is what pages and messages call it. */
PeScanner  *pe_scanner_new_for_source  (const char           *name,
                                        PeFrameSource        *source);
const char *pe_scanner_get_device_name (PeScanner            *self);

/* Scans until the feeder is empty (or one page on a flatbed, or @options->max_pages, or until
 * @sheet_func returns NULL). @page_func runs on the scan thread for every page as soon as it is
 * read. The "progress" signal (guint page, double fraction of that page read, -1 when the
 * height is unknown) is emitted in the caller's thread-default main context. Cancelling stops
 * after the current page: finish then sets G_IO_ERROR_CANCELLED. Pages already delivered stay
 * delivered on every error. Every job starts from the device's own defaults (as found when it
 * was first opened in this process), so options of an earlier job never leak into the next.
 * Finishes with the number of pages delivered, also when @error is set (cancel, jam, ...). */
void        pe_scanner_scan_async      (PeScanner            *self,
                                        const PeScanOptions  *options,
                                        PeSheetFunc           sheet_func,
                                        PePageFunc            page_func,
                                        gpointer              user_data,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              callback_data);
guint       pe_scanner_scan_finish     (PeScanner            *self,
                                        GAsyncResult         *result,
                                        GError              **error);
/* Pages delivered so far by the running (or last) scan; may be read from any thread. */
guint       pe_scanner_get_pages_scanned (PeScanner          *self);

G_END_DECLS
