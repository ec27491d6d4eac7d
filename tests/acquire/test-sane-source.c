/* test-sane-source.c: scanning through SANE's test and pnm backends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SANE_CONFIG_DIR (set by tests/meson.build) points at data/sane, which enables only the
 * simulated backends. Where an independent reference exists, the scan is compared pixel by
 * pixel with what scanimage produces for the same options.
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>

#include "pe-error.h"
#include "pe-sane-device.h"
#include "pe-scan-profile.h"
#include "pe-scanner.h"
#include "pe-sim-feeder.h"
#include "pe-test-common.h"
#include "pe-types.h"

#define MM_PER_INCH 25.4

typedef struct
{
  GMutex        mutex;
  GPtrArray    *pix;          /* PIX *, in delivery order */
  GArray       *sheets;       /* guint */
  GPtrArray    *sources;      /* char * */
  GArray       *progress;     /* Progress, in emission order */
  guint         finish_pages;
  GError       *error;
  gboolean      done;
  /* test controls */
  guint         stop_at;      /* page_func fails on this page (1-based), 0: never */
  guint         cancel_at;    /* cancel after this page, 0: never */
  GCancellable *cancellable;
  PeSimFeeder  *feeder;
  const char   *const *extra_sheet_options;   /* appended to the feeder's for sheet jam_sheet */
  guint         jam_sheet;
} Scan;

typedef struct
{
  guint  page;
  double fraction;
} Progress;

static void
scan_init (Scan *scan)
{
  memset (scan, 0, sizeof *scan);
  g_mutex_init (&scan->mutex);
  scan->pix = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_pix_free);
  scan->sheets = g_array_new (FALSE, FALSE, sizeof (guint));
  scan->sources = g_ptr_array_new_with_free_func (g_free);
  scan->progress = g_array_new (FALSE, FALSE, sizeof (Progress));
}

static void
scan_clear (Scan *scan)
{
  g_clear_pointer (&scan->pix, g_ptr_array_unref);
  g_clear_pointer (&scan->sheets, g_array_unref);
  g_clear_pointer (&scan->sources, g_ptr_array_unref);
  g_clear_pointer (&scan->progress, g_array_unref);
  g_clear_error (&scan->error);
  g_clear_object (&scan->cancellable);
  g_mutex_clear (&scan->mutex);
}

/* Runs on the SANE thread. */
static gboolean
page_cb (PeAcquiredPage  *page,
         gpointer         user_data,
         GError         **error)
{
  Scan *scan = user_data;
  guint n;

  g_assert_nonnull (page->pix);

  g_mutex_lock (&scan->mutex);
  n = scan->pix->len + 1;
  if (scan->stop_at == n)
    {
      g_mutex_unlock (&scan->mutex);
      g_set_error_literal (error, PE_ERROR, PE_ERROR_STORE, "store full");
      return FALSE;
    }
  if (scan->feeder != NULL)
    pe_sim_feeder_fix_resolution (scan->feeder, page);
  g_ptr_array_add (scan->pix, g_steal_pointer (&page->pix));
  g_array_append_val (scan->sheets, page->sheet);
  g_ptr_array_add (scan->sources, g_strdup (page->source));
  g_mutex_unlock (&scan->mutex);

  if (scan->cancel_at == n)
    g_cancellable_cancel (scan->cancellable);

  return TRUE;
}

static char **
sheet_cb (guint    sheet,
          gpointer user_data)
{
  Scan *scan = user_data;
  char **options = pe_sim_feeder_sheet_func (sheet, scan->feeder);

  if (options != NULL && sheet == scan->jam_sheet)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

      g_strv_builder_addv (b, (const char **) options);
      g_strv_builder_addv (b, (const char **) scan->extra_sheet_options);
      g_strfreev (options);
      options = g_strv_builder_end (b);
    }

  return options;
}

static void
progress_cb (PeScanner *scanner,
             guint      page,
             double     fraction,
             gpointer   user_data)
{
  Scan *scan = user_data;
  Progress p = { page, fraction };

  /* Emitted in the main context of the test, never on the SANE thread. */
  g_assert_false (scan->done);
  g_array_append_val (scan->progress, p);
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
          const char          *device,
          const PeScanOptions *options,
          gboolean             with_feeder)
{
  g_autoptr(PeScanner) scanner = pe_scanner_new (device);
  gulong id;

  id = g_signal_connect (scanner, "progress", G_CALLBACK (progress_cb), scan);
  pe_scanner_scan_async (scanner, options, with_feeder ? sheet_cb : NULL, page_cb, scan,
                         scan->cancellable, scan_done_cb, scan);
  while (!scan->done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (scanner, id);

  g_assert_cmpuint (scan->finish_pages, ==, scan->pix->len);
  g_assert_cmpuint (pe_scanner_get_pages_scanned (scanner), ==, scan->pix->len);
}

/* What scanimage (another frontend, another process) makes of the same settings. */
static PIX *
scanimage_reference (const char *const *args)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *out = g_build_filename (dir, "ref.pnm", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  PIX *pix;
  int status;

  g_ptr_array_add (argv, (char *) "scanimage");
  g_ptr_array_add (argv, (char *) "-d");
  g_ptr_array_add (argv, (char *) "test:0");
  g_ptr_array_add (argv, (char *) "--format=pnm");
  g_ptr_array_add (argv, (char *) "-o");
  g_ptr_array_add (argv, out);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  status = pe_test_run ((const char *const *) argv->pdata, NULL, &err);
  if (status != 0)
    g_error ("scanimage failed (%d): %s", status, err);

  pix = pixRead (out);
  g_assert_nonnull (pix);
  pe_test_rmdir (dir);

  if (pixGetDepth (pix) == 16)
    {
      PIX *p8 = pixConvert16To8 (pix, L_MS_BYTE);

      pixDestroy (&pix);
      pix = p8;
    }

  return pix;
}

static void
assert_pix_equal (PIX *a,
                  PIX *b)
{
  l_int32 same = 0;

  g_assert_cmpint (pixGetWidth (a), ==, pixGetWidth (b));
  g_assert_cmpint (pixGetHeight (a), ==, pixGetHeight (b));
  g_assert_cmpint (pixGetDepth (a), ==, pixGetDepth (b));
  g_assert_cmpint (pixEqual (a, b, &same), ==, 0);
  if (!same)
    {
      for (int y = 0; y < pixGetHeight (a); y++)
        for (int x = 0; x < pixGetWidth (a); x++)
          {
            l_uint32 va, vb;

            pixGetPixel (a, x, y, &va);
            pixGetPixel (b, x, y, &vb);
            if (va != vb)
              g_error ("first difference at %d,%d: %08x != %08x (reference)", x, y, va, vb);
          }
    }
  g_assert_true (same);
}

static void
test_list_devices (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  const char *want[] = { "test:0", "test:1", "pnm:0", "pnm:1" };

  devices = pe_sane_list_devices (FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (devices);
  g_assert_cmpuint (devices->len, ==, G_N_ELEMENTS (want));

  for (guint w = 0; w < G_N_ELEMENTS (want); w++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < devices->len; i++)
        {
          PeDeviceInfo *info = g_ptr_array_index (devices, i);

          if (g_strcmp0 (info->name, want[w]) == 0)
            {
              g_autofree char *label = pe_device_info_dup_label (info);
              g_autofree char *expected = NULL;

              found = TRUE;
              g_assert_cmpstr (info->type, ==, "virtual device");
              /* The vendor "Noname" is left out of the label. */
              expected = g_strdup_printf (g_str_has_prefix (want[w], "test")
                                          ? "frontend-tester (%s)" : "PNM file reader (%s)",
                                          want[w]);
              g_assert_cmpstr (label, ==, expected);
            }
        }
      g_assert_true (found);
    }

}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_list_devices_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  pe_sane_list_devices_async (FALSE, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  devices = pe_sane_list_devices_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (devices->len, ==, 4);
  g_clear_object (&result);

  g_cancellable_cancel (cancellable);
  pe_sane_list_devices_async (FALSE, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (pe_sane_list_devices_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_gray_geometry (void)
{
  const char *const opts[] = { "test-picture=Color pattern", NULL };
  PeScanOptions options = { .source = "flatbed", .resolution = 100, .mode = "gray",
                            .options = opts };
  const char *const ref_args[] = { "--mode", "Gray", "--resolution", "100",
                                   "--test-picture", "Color pattern", NULL };
  g_autoptr(PIX) ref = NULL;
  PIX *pix;
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);

  /* data/sane/test.conf sets the scan area to 80 × 100 mm; the backend computes
   * pixels = (int) (dpi × mm / 25.4). */
  pix = g_ptr_array_index (scan.pix, 0);
  g_assert_cmpint (pixGetWidth (pix), ==, (int) (100 * 80.0 / MM_PER_INCH));
  g_assert_cmpint (pixGetHeight (pix), ==, (int) (100 * 100.0 / MM_PER_INCH));
  g_assert_cmpint (pixGetWidth (pix), ==, 314);
  g_assert_cmpint (pixGetHeight (pix), ==, 393);
  g_assert_cmpint (pixGetDepth (pix), ==, 8);
  g_assert_cmpint (pixGetXRes (pix), ==, 100);
  g_assert_cmpint (pixGetYRes (pix), ==, 100);
  g_assert_cmpuint (g_array_index (scan.sheets, guint, 0), ==, 1);
  g_assert_cmpstr (g_ptr_array_index (scan.sources, 0), ==, "test:0");

  /* Progress: starts unknown, ends with the whole page, never goes backwards. */
  g_assert_cmpuint (scan.progress->len, >=, 2);
  g_assert_cmpfloat (g_array_index (scan.progress, Progress, 0).fraction, <, 0);
  g_assert_cmpfloat (g_array_index (scan.progress, Progress,
                                    scan.progress->len - 1).fraction, ==, 1.0);
  for (guint i = 1; i < scan.progress->len; i++)
    g_assert_cmpfloat (g_array_index (scan.progress, Progress, i).fraction, >=,
                       g_array_index (scan.progress, Progress, i - 1).fraction);

  if (!pe_test_skip_unless_program ("scanimage"))
    {
      ref = scanimage_reference (ref_args);
      assert_pix_equal (pix, ref);
    }

  scan_clear (&scan);
}

static void
scan_compare (const char          *mode,
              const char *const   *opts,
              const char *const   *ref_args,
              int                  want_depth)
{
  PeScanOptions options = { .resolution = 75, .mode = mode, .options = opts };
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  g_assert_cmpint (pixGetDepth (g_ptr_array_index (scan.pix, 0)), ==, want_depth);
  g_assert_cmpint (pixGetXRes (g_ptr_array_index (scan.pix, 0)), ==, 75);

  if (!pe_test_skip_unless_program ("scanimage"))
    {
      g_autoptr(PIX) ref = scanimage_reference (ref_args);

      assert_pix_equal (g_ptr_array_index (scan.pix, 0), ref);
    }

  scan_clear (&scan);
}

static void
test_color (void)
{
  const char *const opts[] = { "test-picture=Color pattern", NULL };
  const char *const ref[] = { "--mode", "Color", "--resolution", "75",
                              "--test-picture", "Color pattern", NULL };

  scan_compare ("color", opts, ref, 32);
}

static void
test_color_three_pass (void)
{
  const char *const opts[] = { "three-pass=yes", "three-pass-order=GBR",
                               "test-picture=Color pattern", NULL };
  const char *const ref[] = { "--mode", "Color", "--resolution", "75", "--three-pass=yes",
                              "--three-pass-order", "GBR",
                              "--test-picture", "Color pattern", NULL };

  scan_compare ("color", opts, ref, 32);
}

static void
test_gray16 (void)
{
  /* scanimage 1.1.1 writes 16-bit grey PNM without swapping to big-endian, so it cannot be the
   * reference here. The test backend's pattern is documented in its source instead: rows 0…3
   * are 0x5555; below, pixel 4 + n of row r holds (n << 8) | (r - 4), in native byte order. */
  const char *const opts[] = { "depth=16", "test-picture=Color pattern", NULL };
  PeScanOptions options = { .resolution = 75, .mode = "gray", .options = opts };
  PIX *pix;
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  pix = g_ptr_array_index (scan.pix, 0);
  g_assert_cmpint (pixGetDepth (pix), ==, 8);
  g_assert_cmpint (pixGetWidth (pix), ==, (int) (75 * 80 / MM_PER_INCH));

  for (int y = 0; y < 200; y++)
    for (int x = 0; x < pixGetWidth (pix); x++)
      {
        l_uint32 v = 0;
        l_uint32 want = (y < 4 || x < 4) ? 0x55 : (l_uint32) (x - 4);

        pixGetPixel (pix, x, y, &v);
        if (v != want)
          g_error ("pixel %d,%d is %u, want %u", x, y, v, want);
      }

  scan_clear (&scan);
}

static void
test_color16 (void)
{
  const char *const opts[] = { "depth=16", "test-picture=Color pattern", NULL };
  const char *const ref[] = { "--mode", "Color", "--depth", "16", "--resolution", "75",
                              "--test-picture", "Color pattern", NULL };

  scan_compare ("Color", opts, ref, 32);
}

static void
test_depth1 (void)
{
  const char *const opts[] = { "depth=1", "test-picture=Color pattern", NULL };
  const char *const ref[] = { "--mode", "Gray", "--depth", "1", "--resolution", "75",
                              "--test-picture", "Color pattern", NULL };
  const char *const black[] = { "depth=1", NULL };
  PeScanOptions options = { .resolution = 75, .mode = "gray", .options = black };
  PIX *pix;
  l_int32 count = 0;
  Scan scan;

  scan_compare ("gray", opts, ref, 1);

  /* The default picture (data/sane/test.conf) is solid black: SANE's 1-bit "1" is black, and
   * so is Leptonica's. The picture chosen by the scan before must not leak into this one. */
  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  pix = g_ptr_array_index (scan.pix, 0);
  g_assert_cmpint (pixGetDepth (pix), ==, 1);
  pixCountPixels (pix, &count, NULL);
  g_assert_cmpint (count, ==, pixGetWidth (pix) * pixGetHeight (pix));
  scan_clear (&scan);
}

static void
test_hand_scanner (void)
{
  /* Unknown height (lines = -1): the backend then scans 110 × 170 mm. */
  const char *const opts[] = { "hand-scanner=yes", "test-picture=Grid", NULL };
  PeScanOptions options = { .resolution = 100, .mode = "Gray", .options = opts };
  PIX *pix;
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  pix = g_ptr_array_index (scan.pix, 0);
  g_assert_cmpint (pixGetWidth (pix), ==, (int) (100 * 110.0 / MM_PER_INCH));
  g_assert_cmpint (pixGetHeight (pix), ==, (int) (100 * 170.0 / MM_PER_INCH));
  scan_clear (&scan);
}

/* One page from test:0 with @opts (NULL-terminated "name=value") at 75 dpi in @mode. */
static PIX *
scan_one (const char        *mode,
          const char *const *opts)
{
  PeScanOptions options = { .resolution = 75, .mode = mode, .options = opts };
  PIX *pix;
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  pix = g_ptr_array_steal_index (scan.pix, 0);
  scan_clear (&scan);
  return pix;
}

/* Frame kinds scanimage cannot write (it asserts on 1-bit colour and on three-pass frames
 * that are not 8 bits) are checked against a kind that is checked against scanimage above:
 * the test backend's grid is pure black and white, so it must come out the same at every
 * depth, in one pass or three. */
static void
test_frames_cross_check (void)
{
  const char *const grid8[] = { "test-picture=Grid", NULL };
  const char *const grid1[] = { "depth=1", "test-picture=Grid", NULL };
  const char *const grid16[] = { "depth=16", "test-picture=Grid", NULL };
  const char *const grid1_3p[] = { "depth=1", "three-pass=yes", "test-picture=Grid", NULL };
  const char *const pattern16[] = { "depth=16", "test-picture=Color pattern", NULL };
  const char *const pattern16_3p[] = { "depth=16", "three-pass=yes", "three-pass-order=BRG",
                                       "test-picture=Color pattern", NULL };
  const char *const hand_grid8[] = { "hand-scanner=yes", "test-picture=Grid", NULL };
  const char *const hand_grid16[] = { "hand-scanner=yes", "depth=16", "test-picture=Grid",
                                      NULL };
  g_autoptr(PIX) color8 = scan_one ("color", grid8);
  g_autoptr(PIX) color1 = scan_one ("color", grid1);
  g_autoptr(PIX) color1_3p = scan_one ("color", grid1_3p);
  g_autoptr(PIX) c16 = scan_one ("color", pattern16);
  g_autoptr(PIX) c16_3p = scan_one ("color", pattern16_3p);
  g_autoptr(PIX) gray8 = scan_one ("gray", grid8);
  g_autoptr(PIX) gray16 = scan_one ("gray", grid16);
  g_autoptr(PIX) hand8 = scan_one ("gray", hand_grid8);
  g_autoptr(PIX) hand16 = scan_one ("gray", hand_grid16);
  g_autoptr(PIX) binary = pixThresholdToBinary (gray8, 128);
  l_int32 black = 0;

  /* Not trivially equal: the grid has black and white. */
  pixCountPixels (binary, &black, NULL);
  g_assert_cmpint (black, >, 0);
  g_assert_cmpint (black, <, pixGetWidth (gray8) * pixGetHeight (gray8));

  g_assert_cmpint (pixGetDepth (color1), ==, 32);
  assert_pix_equal (color1, color8);
  assert_pix_equal (color1_3p, color8);
  assert_pix_equal (c16_3p, c16);
  assert_pix_equal (gray16, gray8);
  assert_pix_equal (hand16, hand8);
}

static void
test_hand_scanner_reference (void)
{
  const char *const color_3p[] = { "hand-scanner=yes", "three-pass=yes",
                                   "test-picture=Color pattern", NULL };
  const char *const ref_color_3p[] = { "--mode", "Color", "--resolution", "75",
                                       "--hand-scanner=yes", "--three-pass=yes",
                                       "--test-picture", "Color pattern", NULL };
  const char *const gray1[] = { "hand-scanner=yes", "depth=1", "test-picture=Color pattern",
                                NULL };
  const char *const ref_gray1[] = { "--mode", "Gray", "--depth", "1", "--resolution", "75",
                                    "--hand-scanner=yes", "--test-picture", "Color pattern",
                                    NULL };

  scan_compare ("color", color_3p, ref_color_3p, 32);
  scan_compare ("gray", gray1, ref_gray1, 1);
}

static void
test_page_size (void)
{
  const char *const soft[] = { "brightness=20", "contrast=5", "threshold=100", NULL };
  PeScanOptions a5 = { .resolution = 50, .page_size = "a5", .soft_options = soft };
  PeScanOptions a6 = { .resolution = 50, .page_size = "A6" };
  PeScanOptions automatic = { .resolution = 50, .page_size = "auto" };
  PeScanOptions bogus = { .resolution = 50, .page_size = "a2" };
  Scan scan;

  /* A5 is 148 × 210 mm; test:0 scans at most 200 mm high, so the height is clipped. The test
   * backend has none of brightness, contrast, threshold: skipped, no error. */
  scan_init (&scan);
  run_scan (&scan, "test:0", &a5, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpint (pixGetWidth (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 148 / 25.4));
  g_assert_cmpint (pixGetHeight (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 200 / 25.4));
  scan_clear (&scan);

  scan_init (&scan);
  run_scan (&scan, "test:0", &a6, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpint (pixGetWidth (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 105 / 25.4));
  g_assert_cmpint (pixGetHeight (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 148 / 25.4));
  scan_clear (&scan);

  /* No paper detection on test:0: the configured default area (80 × 100 mm) stays. */
  scan_init (&scan);
  run_scan (&scan, "test:0", &automatic, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpint (pixGetWidth (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 80 / 25.4));
  g_assert_cmpint (pixGetHeight (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 100 / 25.4));
  scan_clear (&scan);

  scan_init (&scan);
  run_scan (&scan, "test:0", &bogus, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (scan.error->message, "a2"));
  scan_clear (&scan);
}

static void
test_profile_scan (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("PE_SOURCE_ROOT"), "data", "profiles",
                                            "profiles.ini", NULL);
  const char *paths[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) profiles = pe_scan_profile_load_files (paths, &error);
  g_autoptr(PeScanProfile) color = NULL;
  g_autoptr(PeScanProfile) duplex = NULL;
  PeScanOptions options;
  PIX *pix;
  Scan scan;

  g_assert_no_error (error);

  /* "Farbe": feeder, 300 dpi colour, A4 (clipped to test:0's 200 × 200 mm). */
  color = pe_scan_profile_find (profiles, "color", &error);
  g_assert_no_error (error);
  pe_scan_profile_to_options (color, &options);
  options.max_pages = 2;
  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 2);
  pix = g_ptr_array_index (scan.pix, 1);
  g_assert_cmpint (pixGetDepth (pix), ==, 32);
  g_assert_cmpint (pixGetXRes (pix), ==, 300);
  g_assert_cmpint (pixGetWidth (pix), ==, (int) (300 * 200 / 25.4));
  scan_clear (&scan);

  /* The duplex profile on a scanner without duplex: a clear message naming its sources. */
  duplex = pe_scan_profile_find (profiles, "post-duplex-grey", &error);
  g_assert_no_error (error);
  pe_scan_profile_to_options (duplex, &options);
  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_nonnull (strstr (scan.error->message, "“Automatic Document Feeder”"));
  scan_clear (&scan);
}

static void
test_adf (void)
{
  PeScanOptions options = { .source = "adf", .resolution = 50, .mode = "gray" };
  PeScanOptions color = { .source = "adf", .resolution = 50, .mode = "color" };
  Scan scan;
  guint last_page = 0;
  guint completed = 0;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);

  /* The test backend's feeder is empty after 10 sheets. */
  g_assert_cmpuint (scan.pix->len, ==, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (g_array_index (scan.sheets, guint, i), ==, i + 1);

  /* Let the last progress idles run: they are queued before the result. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < scan.progress->len; i++)
    {
      Progress *p = &g_array_index (scan.progress, Progress, i);

      g_assert_cmpuint (p->page, >=, last_page);
      last_page = p->page;
      if (p->fraction == 1.0)
        completed++;
    }
  g_assert_cmpuint (last_page, ==, 10);
  g_assert_cmpuint (completed, ==, 10);
  scan_clear (&scan);

  /* A refilled feeder gives ten sheets again, in colour too. */
  scan_init (&scan);
  run_scan (&scan, "test:0", &color, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 10);
  g_assert_cmpint (pixGetDepth (g_ptr_array_index (scan.pix, 9)), ==, 32);
  scan_clear (&scan);
}

static void
test_adf_max_pages (void)
{
  PeScanOptions options = { .source = "Automatic Document Feeder", .resolution = 50,
                            .max_pages = 3 };
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 3);
  scan_clear (&scan);
}

static void
test_faults (void)
{
  static const struct {
    const char *status;
    GQuark      domain;
    int         code;
  } faults[] = {
    { "SANE_STATUS_JAMMED", 0, PE_ERROR_JAMMED },
    { "SANE_STATUS_COVER_OPEN", 0, PE_ERROR_COVER_OPEN },
    { "SANE_STATUS_NO_DOCS", 0, PE_ERROR_NO_DOCS },
    { "SANE_STATUS_IO_ERROR", 0, PE_ERROR_DEVICE },
    { "SANE_STATUS_NO_MEM", 0, PE_ERROR_DEVICE },
    { "SANE_STATUS_DEVICE_BUSY", 0, PE_ERROR_DEVICE_BUSY },
    { "SANE_STATUS_ACCESS_DENIED", 0, PE_ERROR_ACCESS_DENIED },
    { "SANE_STATUS_INVAL", 0, PE_ERROR_INVALID },
    { "SANE_STATUS_UNSUPPORTED", 0, PE_ERROR_UNSUPPORTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autofree char *opt = g_strdup_printf ("read-return-value=%s", faults[i].status);
      const char *const opts[] = { opt, NULL };
      /* On the feeder too: a fault on the first sheet is an error, not "feeder empty". */
      PeScanOptions options = { .source = i % 2 ? "adf" : NULL, .resolution = 50,
                                .options = opts };
      Scan scan;

      scan_init (&scan);
      run_scan (&scan, "test:0", &options, FALSE);
      g_test_message ("%s: %s", faults[i].status, scan.error ? scan.error->message : "-");
      g_assert_error (scan.error, PE_ERROR, faults[i].code);
      g_assert_cmpstr (scan.error->message, !=, "");
      g_assert_cmpuint (scan.pix->len, ==, 0);
      scan_clear (&scan);
    }
}

static void
test_jam_message (void)
{
  const char *const opts[] = { "read-return-value=SANE_STATUS_JAMMED", NULL };
  PeScanOptions options = { .source = "adf", .options = opts };
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_JAMMED);
  g_assert_cmpstr (scan.error->message, ==,
                   "Paper jam: remove the jammed sheet, then continue the batch.");
  scan_clear (&scan);
}

static void
test_pnm_feeder (void)
{
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  const char *files[] = { p1, p3, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSimFeeder) feeder = NULL;
  Scan scan;

  feeder = pe_sim_feeder_new (files, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_sim_feeder_get_n_sheets (feeder), ==, 2);
  g_assert_cmpuint (pe_sim_feeder_get_dpi (feeder, 1), ==, 200);

  scan_init (&scan);
  scan.feeder = feeder;
  run_scan (&scan, "pnm:0", NULL, TRUE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 2);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PIX) ref = pixRead (files[i]);
      PIX *pix = g_ptr_array_index (scan.pix, i);

      pixSetSpp (ref, 3);
      g_assert_cmpuint (g_array_index (scan.sheets, guint, i), ==, i + 1);
      g_assert_cmpint (pixGetXRes (pix), ==, 200);
      assert_pix_equal (pix, ref);
    }

  /* p0001 is RGB, p0003 grey: the feeder keeps each as it is. */
  g_assert_cmpint (pixGetDepth (g_ptr_array_index (scan.pix, 0)), ==, 32);
  g_assert_cmpint (pixGetDepth (g_ptr_array_index (scan.pix, 1)), ==, 8);

  scan_clear (&scan);
}

static void
test_pnm_resolution_nearest (void)
{
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  const char *files[] = { p3, NULL };
  const char *const opts[] = { "resolution=212", NULL };
  PeScanOptions options = { .options = opts };
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSimFeeder) feeder = pe_sim_feeder_new (files, &error);
  g_autofree char *filename = NULL;
  Scan scan;

  g_assert_no_error (error);
  filename = g_strdup_printf ("filename=%s", pe_sim_feeder_get_pnm_path (feeder, 1));

  /* pnm offers 75…300 dpi in steps of 15: 212 becomes 210, and that is what the page gets
   * (the backend does not know the file's own resolution). */
  {
    const char *const opts2[] = { filename, "resolution=212", NULL };

    options.options = opts2;
    scan_init (&scan);
    run_scan (&scan, "pnm:0", &options, FALSE);
    g_assert_no_error (scan.error);
    g_assert_cmpuint (scan.pix->len, ==, 1);
    g_assert_cmpint (pixGetXRes (g_ptr_array_index (scan.pix, 0)), ==, 210);
    scan_clear (&scan);
  }
  (void) opts;
}

static void
test_pnm_jam_mid_batch (void)
{
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autofree char *p4 = pe_test_sample_page ("p0004.png");
  const char *files[] = { p3, p4, p3, p4, NULL };
  const char *const jam[] = { "status-jammed=yes", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSimFeeder) feeder = NULL;
  Scan scan;

  feeder = pe_sim_feeder_new (files, &error);
  g_assert_no_error (error);

  /* The third sheet jams: the two before it are delivered and kept. */
  scan_init (&scan);
  scan.feeder = feeder;
  scan.jam_sheet = 3;
  scan.extra_sheet_options = jam;
  run_scan (&scan, "pnm:0", NULL, TRUE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_JAMMED);
  g_assert_cmpuint (scan.pix->len, ==, 2);
  g_assert_cmpuint (scan.finish_pages, ==, 2);
  scan_clear (&scan);

  /* The pnm backend keeps its options across close and open; the scanner puts the device's
   * defaults back before each job, so the jam does not stick to the next batch. */
  scan_init (&scan);
  scan.feeder = feeder;
  run_scan (&scan, "pnm:0", NULL, TRUE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 4);
  scan_clear (&scan);
}

static void
test_options_reset_between_jobs (void)
{
  const char *const jam[] = { "read-return-value=SANE_STATUS_JAMMED", "depth=1", NULL };
  PeScanOptions faulty = { .source = "adf", .resolution = 80, .mode = "color",
                           .options = jam };
  PeScanOptions plain = { 0 };
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &faulty, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_JAMMED);
  scan_clear (&scan);

  /* Nothing of the last job remains: flatbed, one page, grey 8 bit at the configured 50 dpi
   * (data/sane/test.conf), no fault. */
  scan_init (&scan);
  run_scan (&scan, "test:0", &plain, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  g_assert_cmpint (pixGetDepth (g_ptr_array_index (scan.pix, 0)), ==, 8);
  g_assert_cmpint (pixGetXRes (g_ptr_array_index (scan.pix, 0)), ==, 50);
  g_assert_cmpint (pixGetWidth (g_ptr_array_index (scan.pix, 0)), ==, (int) (50 * 80 / 25.4));
  scan_clear (&scan);
}

static void
test_unknown_device (void)
{
  const char *names[] = { "test:9", "nosuchbackend:0" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *want = g_strdup_printf ("Scanner “%s” was not found. Check that it is "
                                               "switched on and connected, then refresh the "
                                               "device list.", names[i]);
      Scan scan;

      scan_init (&scan);
      run_scan (&scan, names[i], NULL, FALSE);
      g_assert_error (scan.error, PE_ERROR, PE_ERROR_NOT_FOUND);
      g_assert_cmpstr (scan.error->message, ==, want);
      g_assert_cmpuint (scan.pix->len, ==, 0);
      scan_clear (&scan);
    }
}

static void
expect_invalid (const PeScanOptions *options,
                const char *const   *must_mention)
{
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", options, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_INVALID);
  g_test_message ("%s", scan.error->message);
  for (guint i = 0; must_mention[i] != NULL; i++)
    g_assert_nonnull (strstr (scan.error->message, must_mention[i]));
  g_assert_cmpuint (scan.pix->len, ==, 0);
  scan_clear (&scan);
}

static void
test_invalid_options (void)
{
  /* The test backend has no Lineart mode: the message names what there is. */
  {
    PeScanOptions o = { .mode = "lineart" };
    const char *const m[] = { "lineart", "“Gray”", "“Color”", NULL };
    expect_invalid (&o, m);
  }
  {
    PeScanOptions o = { .mode = "sepia" };
    const char *const m[] = { "sepia", "“Gray”", NULL };
    expect_invalid (&o, m);
  }
  {
    PeScanOptions o = { .source = "duplex" };
    const char *const m[] = { "duplex", "“Flatbed”", "“Automatic Document Feeder”", NULL };
    expect_invalid (&o, m);
  }
  {
    const char *const opts[] = { "depth=12", NULL };
    PeScanOptions o = { .options = opts };
    const char *const m[] = { "depth", "1, 8, 16", NULL };
    expect_invalid (&o, m);
  }
  {
    const char *const opts[] = { "no-such-option=1", NULL };
    PeScanOptions o = { .options = opts };
    const char *const m[] = { "no-such-option", "resolution", NULL };
    expect_invalid (&o, m);
  }
  {
    const char *const opts[] = { "hand-scanner=perhaps", NULL };
    PeScanOptions o = { .options = opts };
    const char *const m[] = { "hand-scanner", "perhaps", NULL };
    expect_invalid (&o, m);
  }
  {
    const char *const opts[] = { "read-limit-size=100", NULL };   /* inactive until read-limit */
    PeScanOptions o = { .options = opts };
    const char *const m[] = { "read-limit-size", NULL };
    expect_invalid (&o, m);
  }
  {
    const char *const opts[] = { "depth", NULL };
    PeScanOptions o = { .options = opts };
    const char *const m[] = { "name=value", NULL };
    expect_invalid (&o, m);
  }
}

static void
test_reload_options (void)
{
  /* read-limit=yes makes read-limit-size active (SANE_INFO_RELOAD_OPTIONS); the next option
   * must see the reloaded set. The small reads also exercise the read loop. */
  const char *const opts[] = { "read-limit=yes", "read-limit-size=997", NULL };
  PeScanOptions options = { .resolution = 60, .options = opts };
  Scan scan;

  scan_init (&scan);
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_no_error (scan.error);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  g_assert_cmpint (pixGetWidth (g_ptr_array_index (scan.pix, 0)), ==, (int) (60 * 80 / 25.4));
  scan_clear (&scan);
}

static void
test_cancel (void)
{
  PeScanOptions options = { .source = "adf", .resolution = 50 };
  Scan scan;

  scan_init (&scan);
  scan.cancellable = g_cancellable_new ();
  scan.cancel_at = 3;
  run_scan (&scan, "test:0", &options, FALSE);

  /* Cancel stops after the current page; the pages so far are the caller's. */
  g_assert_error (scan.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (scan.pix->len, ==, 3);
  g_assert_cmpuint (scan.finish_pages, ==, 3);
  scan_clear (&scan);
}

static void
test_page_func_stops (void)
{
  PeScanOptions options = { .source = "adf", .resolution = 50 };
  Scan scan;

  scan_init (&scan);
  scan.stop_at = 2;
  run_scan (&scan, "test:0", &options, FALSE);
  g_assert_error (scan.error, PE_ERROR, PE_ERROR_STORE);
  g_assert_cmpuint (scan.pix->len, ==, 1);
  scan_clear (&scan);
}

static void
test_busy (void)
{
  g_autoptr(PeScanner) scanner = pe_scanner_new ("test:0");
  PeScanOptions options = { .resolution = 50 };
  Scan first, second;

  scan_init (&first);
  scan_init (&second);

  pe_scanner_scan_async (scanner, &options, NULL, page_cb, &first, NULL, scan_done_cb, &first);
  pe_scanner_scan_async (scanner, &options, NULL, page_cb, &second, NULL, scan_done_cb,
                         &second);
  while (!first.done || !second.done)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (first.error);
  g_assert_cmpuint (first.pix->len, ==, 1);
  g_assert_error (second.error, PE_ERROR, PE_ERROR_DEVICE_BUSY);
  g_assert_cmpuint (second.pix->len, ==, 0);

  scan_clear (&first);
  scan_clear (&second);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/acquire/sane/list-devices", test_list_devices);
  g_test_add_func ("/acquire/sane/list-devices-async", test_list_devices_async);
  g_test_add_func ("/acquire/sane/gray-geometry", test_gray_geometry);
  g_test_add_func ("/acquire/sane/color", test_color);
  g_test_add_func ("/acquire/sane/color-three-pass", test_color_three_pass);
  g_test_add_func ("/acquire/sane/color-16bit", test_color16);
  g_test_add_func ("/acquire/sane/gray-16bit", test_gray16);
  g_test_add_func ("/acquire/sane/depth-1", test_depth1);
  g_test_add_func ("/acquire/sane/hand-scanner", test_hand_scanner);
  g_test_add_func ("/acquire/sane/frames-cross-check", test_frames_cross_check);
  g_test_add_func ("/acquire/sane/hand-scanner-reference", test_hand_scanner_reference);
  g_test_add_func ("/acquire/sane/page-size", test_page_size);
  g_test_add_func ("/acquire/sane/profile-scan", test_profile_scan);
  g_test_add_func ("/acquire/sane/adf", test_adf);
  g_test_add_func ("/acquire/sane/adf-max-pages", test_adf_max_pages);
  g_test_add_func ("/acquire/sane/faults", test_faults);
  g_test_add_func ("/acquire/sane/jam-message", test_jam_message);
  g_test_add_func ("/acquire/sane/pnm-feeder", test_pnm_feeder);
  g_test_add_func ("/acquire/sane/pnm-resolution-nearest", test_pnm_resolution_nearest);
  g_test_add_func ("/acquire/sane/pnm-jam-mid-batch", test_pnm_jam_mid_batch);
  g_test_add_func ("/acquire/sane/options-reset-between-jobs", test_options_reset_between_jobs);
  g_test_add_func ("/acquire/sane/unknown-device", test_unknown_device);
  g_test_add_func ("/acquire/sane/invalid-options", test_invalid_options);
  g_test_add_func ("/acquire/sane/reload-options", test_reload_options);
  g_test_add_func ("/acquire/sane/cancel", test_cancel);
  g_test_add_func ("/acquire/sane/page-func-stops", test_page_func_stops);
  g_test_add_func ("/acquire/sane/busy", test_busy);

  return g_test_run ();
}
