/* test-recorded-frames.c: the scan loop on recorded frames — duplex feeders, manual duplex,
 * faults in the middle of a batch and a device that goes away, which SANE's simulated
 * backends cannot produce
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "pe-duplex.h"
#include "pe-error.h"
#include "pe-recorded-frames.h"
#include "pe-scanner.h"
#include "pe-test-common.h"
#include "pe-types.h"

static const char *const duplex_sources[] = { "Flatbed", "ADF Front", "ADF Duplex", NULL };

typedef struct
{
  GPtrArray *pages;     /* PeAcquiredPage *, in delivery order */
  guint      finish_pages;
  GError    *error;
  gboolean   done;
} Scan;

static void
page_free (gpointer data)
{
  pe_acquired_page_clear (data);
  g_free (data);
}

static void
scan_init (Scan *scan)
{
  memset (scan, 0, sizeof *scan);
  scan->pages = g_ptr_array_new_with_free_func (page_free);
}

static void
scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->pages, g_ptr_array_unref);
  g_clear_error (&scan->error);
}

/* Runs on the SANE thread; the test thread only looks after the scan has finished. */
static gboolean
page_cb (PeAcquiredPage  *page,
         gpointer         user_data,
         GError         **error)
{
  Scan *scan = user_data;
  PeAcquiredPage *copy = g_new0 (PeAcquiredPage, 1);

  *copy = *page;
  copy->pix = g_steal_pointer (&page->pix);
  copy->source = g_steal_pointer (&page->source);
  copy->original = g_steal_pointer (&page->original);
  g_assert_cmpint (copy->read_end_usec, >, 0);
  g_assert_cmpint (copy->read_end_usec, <=, g_get_monotonic_time ());
  g_ptr_array_add (scan->pages, copy);
  return TRUE;
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Scan *scan = user_data;

  scan->finish_pages = pe_scanner_scan_finish (PE_SCANNER (object), result, &scan->error);
  scan->done = TRUE;
}

static void
run_scan (Scan                *scan,
          PeScanner           *scanner,
          const PeScanOptions *options)
{
  pe_scanner_scan_async (scanner, options, NULL, page_cb, scan, NULL, scan_done_cb, scan);
  while (!scan->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (scan->finish_pages, ==, scan->pages->len);
}

/* A grey page that can be told apart from every other: value and size depend on @n. */
static PIX *
make_page (guint n)
{
  PIX *pix = pixCreate (120 + n, 80, 8);

  pixSetAllArbitrary (pix, 10 * n);
  pixSetPixel (pix, n, n, 255);
  return pix;
}

static void
assert_page_is (PeAcquiredPage *page,
                guint           n)
{
  g_autoptr(PIX) want = make_page (n);
  l_int32 same = 0;

  pixEqual (page->pix, want, &same);
  if (!same)
    g_error ("page is not recorded page %u (%dx%d)", n, pixGetWidth (page->pix),
             pixGetHeight (page->pix));
}

/* The raw frame handed to the store as PNM decodes to the same image as the PIX. */
static void
assert_original_matches (PeAcquiredPage *page)
{
  gsize size = 0;
  const guint8 *data;
  g_autoptr(PIX) decoded = NULL;
  l_int32 same = 0;

  g_assert_nonnull (page->original);
  g_assert_cmpstr (page->original_ext, ==, "pnm");
  data = g_bytes_get_data (page->original, &size);
  decoded = pixReadMem (data, size);
  g_assert_nonnull (decoded);
  g_assert_cmpint (pixGetDepth (decoded), ==, pixGetDepth (page->pix));
  pixEqual (decoded, page->pix, &same);
  g_assert_true (same);
}

static PeAcquiredPage *
page_at (Scan  *scan,
         guint  i)
{
  return g_ptr_array_index (scan->pages, i);
}

static void
test_adf_duplex (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:duplex",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions options = { .source = "duplex", .resolution = 200 };
  g_autofree char *source = NULL;
  Scan scan;

  /* Three sheets, both sides: front 1, back 1 (page 2), front 2 … */
  for (guint n = 1; n <= 6; n++)
    {
      g_autoptr(PIX) pix = make_page (n);

      pe_recorded_frames_add_pix (rec, pix);
    }

  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pages->len, ==, 6);

  /* "duplex" chose the driver's "ADF Duplex", not "ADF Front". */
  source = pe_recorded_frames_dup_option (rec, "source");
  g_assert_cmpstr (source, ==, "ADF Duplex");

  for (guint i = 0; i < 6; i++)
    {
      PeAcquiredPage *page = page_at (&scan, i);

      assert_page_is (page, i + 1);
      assert_original_matches (page);
      g_assert_cmpuint (page->sheet, ==, i / 2 + 1);
      g_assert_cmpint (page->back_side, ==, i % 2 == 1);
      g_assert_cmpstr (page->source, ==, "recorded:duplex");
      g_assert_cmpint (pixGetXRes (page->pix), ==, 200);
    }
  scan_clear (&scan);
}

static void
test_adf_simplex (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:simplex",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions options = { .source = "adf" };
  g_autofree char *source = NULL;
  Scan scan;

  for (guint n = 1; n <= 3; n++)
    {
      g_autoptr(PIX) pix = make_page (n);

      pe_recorded_frames_add_pix (rec, pix);
    }

  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_no_error (scan.error);

  /* "adf" is the front-only feeder, though "ADF Duplex" also contains "ADF". */
  source = pe_recorded_frames_dup_option (rec, "source");
  g_assert_cmpstr (source, ==, "ADF Front");
  g_assert_cmpuint (scan.pages->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      assert_page_is (page_at (&scan, i), i + 1);
      g_assert_cmpuint (page_at (&scan, i)->sheet, ==, i + 1);
      g_assert_false (page_at (&scan, i)->back_side);
    }
  scan_clear (&scan);
}

/* Fronts pass 1 3 5, stack turned over, backs pass 6 4 2: collated 1 … 6. */
static void
test_manual_duplex (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:manual",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions fronts = { .source = "adf" };
  PeScanOptions backs = { .source = "adf" };
  const guint fronts_feed[] = { 1, 3, 5 };
  const guint backs_feed[] = { 6, 4, 2 };
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (page_free);
  g_autoptr(GError) error = NULL;
  Scan scan;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PIX) pix = make_page (fronts_feed[i]);

      pe_recorded_frames_add_pix (rec, pix);
    }
  scan_init (&scan);
  run_scan (&scan, scanner, &fronts);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pages->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_ptr_array_add (all, g_ptr_array_steal_index (scan.pages, 0));
  scan_clear (&scan);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PIX) pix = make_page (backs_feed[i]);

      pe_recorded_frames_add_pix (rec, pix);
    }
  backs.backs_of = all->len;
  scan_init (&scan);
  run_scan (&scan, scanner, &backs);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pages->len, ==, 3);
  /* The scanner already knows which sheet each back belongs to. */
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (page_at (&scan, i)->back_side);
      g_assert_cmpuint (page_at (&scan, i)->sheet, ==, 3 - i);
    }
  while (scan.pages->len > 0)
    g_ptr_array_add (all, g_ptr_array_steal_index (scan.pages, 0));
  scan_clear (&scan);

  g_assert_true (pe_duplex_collate_pages (all, 3, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 6; i++)
    {
      PeAcquiredPage *page = g_ptr_array_index (all, i);

      assert_page_is (page, i + 1);
      g_assert_cmpuint (page->sheet, ==, i / 2 + 1);
      g_assert_cmpint (page->back_side, ==, i % 2 == 1);
    }
}

static void
test_manual_duplex_mismatch (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:mismatch",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions backs = { .source = "adf", .backs_of = 3 };
  PeScanOptions duplex_backs = { .source = "duplex", .backs_of = 3 };
  Scan scan;

  /* A sheet missing from the backs pass: the two backs are kept, the error says why. */
  for (guint n = 1; n <= 2; n++)
    {
      g_autoptr(PIX) pix = make_page (n);

      pe_recorded_frames_add_pix (rec, pix);
    }
  scan_init (&scan);
  run_scan (&scan, scanner, &backs);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_SHEET_MISMATCH);
  g_assert_nonnull (strstr (scan.error->message, "has 2 sheets, but the fronts pass had 3"));
  g_assert_cmpuint (scan.pages->len, ==, 2);
  scan_clear (&scan);

  /* A sheet too many: all four are scanned and kept, the extra one unpaired (sheet 0). */
  for (guint n = 1; n <= 4; n++)
    {
      g_autoptr(PIX) pix = make_page (n);

      pe_recorded_frames_add_pix (rec, pix);
    }
  scan_init (&scan);
  run_scan (&scan, scanner, &backs);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_SHEET_MISMATCH);
  g_assert_nonnull (strstr (scan.error->message, "has 4 sheets, but the fronts pass had 3"));
  g_assert_cmpuint (scan.pages->len, ==, 4);
  g_assert_cmpuint (page_at (&scan, 0)->sheet, ==, 3);
  g_assert_cmpuint (page_at (&scan, 3)->sheet, ==, 0);
  assert_page_is (page_at (&scan, 3), 4);
  scan_clear (&scan);

  /* A backs pass on a duplex feeder is a mistake in the caller's settings. */
  scan_init (&scan);
  run_scan (&scan, scanner, &duplex_backs);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_cmpuint (scan.pages->len, ==, 0);
  scan_clear (&scan);
}

static void
test_lineart (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (NULL);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:lineart",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions options = { .mode = "lineart", .max_pages = 1 };
  g_autoptr(PIX) pix = pixCreate (101, 37, 1);   /* width not a multiple of 8 */
  g_autofree char *mode = NULL;
  l_int32 same = 0;
  Scan scan;

  for (int y = 0; y < 37; y++)
    for (int x = 0; x < 101; x++)
      if ((x * 7 + y * 3) % 5 == 0)
        pixSetPixel (pix, x, y, 1);
  pe_recorded_frames_add_pix (rec, pix);

  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_no_error (scan.error);
  mode = pe_recorded_frames_dup_option (rec, "mode");
  g_assert_cmpstr (mode, ==, "Lineart");
  g_assert_cmpuint (scan.pages->len, ==, 1);
  g_assert_cmpint (pixGetDepth (page_at (&scan, 0)->pix), ==, 1);
  pixEqual (page_at (&scan, 0)->pix, pix, &same);
  g_assert_true (same);
  assert_original_matches (page_at (&scan, 0));
  scan_clear (&scan);
}

static void
test_color_raw (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (NULL);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:color",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions options = { .mode = "color", .max_pages = 1 };
  g_autoptr(PIX) pix = pixCreate (33, 21, 32);
  Scan scan;

  for (int y = 0; y < 21; y++)
    for (int x = 0; x < 33; x++)
      {
        l_uint32 v;

        composeRGBPixel (x * 7, y * 11, (x + y) * 3, &v);
        pixSetPixel (pix, x, y, v);
      }
  pe_recorded_frames_add_pix (rec, pix);

  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pages->len, ==, 1);
  g_assert_cmpint (pixGetDepth (page_at (&scan, 0)->pix), ==, 32);
  pixSetSpp (pix, 3);
  {
    l_int32 same = 0;

    pixEqual (page_at (&scan, 0)->pix, pix, &same);
    g_assert_true (same);
  }
  assert_original_matches (page_at (&scan, 0));
  scan_clear (&scan);
}

/* A fault on sheet 3 of a feeder run: pages 1 and 2 are delivered, the error is the fault's,
 * translated and saying what to do. */
static void
test_faults_mid_batch (void)
{
  static const struct {
    SANE_Status status;
    gboolean    at_start;
    int         code;
    const char *must_mention;
  } faults[] = {
    { SANE_STATUS_JAMMED, FALSE, PE_ERROR_JAMMED, "continue the batch" },
    { SANE_STATUS_JAMMED, TRUE, PE_ERROR_JAMMED, "continue the batch" },
    { SANE_STATUS_COVER_OPEN, TRUE, PE_ERROR_COVER_OPEN, "close it" },
    { SANE_STATUS_COVER_OPEN, FALSE, PE_ERROR_COVER_OPEN, "close it" },
    { SANE_STATUS_NO_DOCS, FALSE, PE_ERROR_NO_DOCS, "continue the batch" },
    { SANE_STATUS_IO_ERROR, FALSE, PE_ERROR_DEVICE, "switched on" },
    { SANE_STATUS_IO_ERROR, TRUE, PE_ERROR_DEVICE, "switched on" },
    { SANE_STATUS_DEVICE_BUSY, TRUE, PE_ERROR_DEVICE_BUSY, "try again" },
    { SANE_STATUS_ACCESS_DENIED, TRUE, PE_ERROR_ACCESS_DENIED, "group “scanner”" },
    { SANE_STATUS_NO_MEM, FALSE, PE_ERROR_DEVICE, "lower resolution" },
  };

  for (guint f = 0; f < G_N_ELEMENTS (faults); f++)
    {
      g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
      g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:faulty",
                                                                PE_FRAME_SOURCE (rec));
      PeScanOptions options = { .source = "adf" };
      g_autoptr(PIX) p3 = make_page (3);
      Scan scan;

      for (guint n = 1; n <= 2; n++)
        {
          g_autoptr(PIX) pix = make_page (n);

          pe_recorded_frames_add_pix (rec, pix);
        }
      if (faults[f].at_start)
        pe_recorded_frames_add_start_fault (rec, faults[f].status);
      else
        pe_recorded_frames_add_read_fault (rec, p3, faults[f].status);
      pe_recorded_frames_add_pix (rec, p3);

      scan_init (&scan);
      run_scan (&scan, scanner, &options);
      g_test_message ("%s%s: %s", sane_strstatus (faults[f].status),
                      faults[f].at_start ? " at start" : " mid-page",
                      scan.error ? scan.error->message : "-");
      g_assert_error (scan.error, PE_ERROR, faults[f].code);
      g_assert_nonnull (strstr (scan.error->message, faults[f].must_mention));
      g_assert_cmpuint (scan.pages->len, ==, 2);
      assert_page_is (page_at (&scan, 0), 1);
      assert_page_is (page_at (&scan, 1), 2);

      /* After the clerk has cleared the fault, the same device continues with sheet 3. */
      scan_clear (&scan);
      scan_init (&scan);
      run_scan (&scan, scanner, &options);
      g_assert_no_error (scan.error);
      g_assert_cmpuint (scan.pages->len, ==, 1);
      assert_page_is (page_at (&scan, 0), 3);
      scan_clear (&scan);
    }
}

/* Unplugged halfway through sheet 3: pages 1 and 2 are kept; from then on every call fails,
 * and the message says to check power and cable. */
static void
test_unplugged (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (duplex_sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:usb",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions options = { .source = "adf", .resolution = 150 };
  g_autoptr(PIX) p3 = make_page (3);
  Scan scan;

  for (guint n = 1; n <= 2; n++)
    {
      g_autoptr(PIX) pix = make_page (n);

      pe_recorded_frames_add_pix (rec, pix);
    }
  pe_recorded_frames_add_unplug (rec, p3);
  pe_recorded_frames_add_pix (rec, p3);

  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_DEVICE);
  g_assert_cmpstr (scan.error->message, ==,
                   "Communication with scanner “recorded:usb” failed: check that it is "
                   "switched on and its cable or network connection, then try again.");
  g_assert_cmpuint (scan.pages->len, ==, 2);
  scan_clear (&scan);

  /* Still gone: the next job fails before any page, with an error, not a hang or a crash. */
  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_DEVICE);
  g_assert_cmpuint (scan.pages->len, ==, 0);
  scan_clear (&scan);
}

static void
test_soft_options (void)
{
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (NULL);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:soft",
                                                            PE_FRAME_SOURCE (rec));
  /* The device has brightness; it has neither contrast nor threshold. */
  const char *const soft[] = { "brightness=25", "contrast=10", "threshold=128", NULL };
  const char *const too_bright[] = { "brightness=250", NULL };
  PeScanOptions options = { .max_pages = 1, .soft_options = soft };
  PeScanOptions bad = { .max_pages = 1, .soft_options = too_bright };
  g_autofree char *brightness = NULL;
  g_autoptr(PIX) pix = make_page (1);
  Scan scan;

  pe_recorded_frames_add_pix (rec, pix);
  scan_init (&scan);
  run_scan (&scan, scanner, &options);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pages->len, ==, 1);
  brightness = pe_recorded_frames_dup_option (rec, "brightness");
  g_assert_cmpstr (brightness, ==, "25");
  scan_clear (&scan);

  /* Offered but out of range is still an error, naming the allowed range. */
  pe_recorded_frames_add_pix (rec, pix);
  scan_init (&scan);
  run_scan (&scan, scanner, &bad);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (scan.error->message, "-100…100"));
  scan_clear (&scan);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/acquire/recorded/adf-duplex", test_adf_duplex);
  g_test_add_func ("/acquire/recorded/adf-simplex", test_adf_simplex);
  g_test_add_func ("/acquire/recorded/manual-duplex", test_manual_duplex);
  g_test_add_func ("/acquire/recorded/manual-duplex-mismatch", test_manual_duplex_mismatch);
  g_test_add_func ("/acquire/recorded/lineart", test_lineart);
  g_test_add_func ("/acquire/recorded/color-raw", test_color_raw);
  g_test_add_func ("/acquire/recorded/faults-mid-batch", test_faults_mid_batch);
  g_test_add_func ("/acquire/recorded/unplugged", test_unplugged);
  g_test_add_func ("/acquire/recorded/soft-options", test_soft_options);

  return g_test_run ();
}
