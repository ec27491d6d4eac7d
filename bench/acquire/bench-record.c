/* bench-record.c: from a page's last sane_read() to "page recorded"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Scans A4 pages at 300 dpi, 8-bit grey, from SANE's test backend (its own SANE_CONFIG_DIR with
 * an A4 scan area) into a real batch store, and measures for each page the time from the end
 * of its last sane_read() (PeAcquiredPage.read_end_usec) until pe_store_add_page() has
 * returned: the frame turned into a PIX and a PNM file (the scanner hands the frame's own rows
 * to the store), written, fsynced, renamed, the directory fsynced, hashed, and its row
 * committed (SQLite WAL, synchronous=FULL). Then it times those steps one by one on the last
 * page to show where the time goes. Prints JSON; exits 1 when the median is over 50 ms.
 *
 *   bench-record [--pages N] [--dir DIR]    DIR: where the store goes (default: a new
 *                                            directory in $TMPDIR); put it on the disk to test
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <stdio.h>

#include "pe-fs.h"
#include "pe-scanner.h"
#include "pe-sqlite-store.h"

#define TARGET_MS 50.0

typedef struct
{
  PeStore  *store;
  gint64    batch;
  GArray   *overhead_ms;    /* double: read end → recorded */
  GArray   *to_callback_ms; /* double: read end → page callback (PIX built) */
  GArray   *store_ms;       /* double: pe_store_add_page () */
  PIX      *last;
  GBytes   *last_raw;
  guint     width, height;
  gboolean  done;
  guint     pages;
  GError   *error;
} Bench;

static gboolean
record_page (PeAcquiredPage  *page,
             gpointer         user_data,
             GError         **error)
{
  Bench *b = user_data;
  gint64 entered = g_get_monotonic_time ();
  g_autoptr(PePageRecord) record = NULL;
  gint64 recorded;
  double v;

  record = pe_store_add_page (b->store, b->batch, page->pix, page->original,
                              page->original_ext, page->source, error);
  if (record == NULL)
    return FALSE;
  recorded = g_get_monotonic_time ();

  v = (recorded - page->read_end_usec) / 1000.0;
  g_array_append_val (b->overhead_ms, v);
  v = (entered - page->read_end_usec) / 1000.0;
  g_array_append_val (b->to_callback_ms, v);
  v = (recorded - entered) / 1000.0;
  g_array_append_val (b->store_ms, v);

  b->width = pixGetWidth (page->pix);
  b->height = pixGetHeight (page->pix);
  if (b->last != NULL)
    pixDestroy (&b->last);
  b->last = g_steal_pointer (&page->pix);
  g_clear_pointer (&b->last_raw, g_bytes_unref);
  if (page->original != NULL)
    b->last_raw = g_bytes_ref (page->original);
  return TRUE;
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *b = user_data;

  b->pages = pe_scanner_scan_finish (PE_SCANNER (object), result, &b->error);
  b->done = TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
add_stats (JsonBuilder *jb,
           const char  *name,
           GArray      *values)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  guint n = sorted->len;

  g_array_sort (sorted, compare_double);
  json_builder_set_member_name (jb, name);
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "median");
  json_builder_add_double_value (jb, n % 2 ? g_array_index (sorted, double, n / 2)
                                           : (g_array_index (sorted, double, n / 2 - 1)
                                              + g_array_index (sorted, double, n / 2)) / 2);
  json_builder_set_member_name (jb, "p90");
  json_builder_add_double_value (jb, g_array_index (sorted, double, MIN (n - 1, n * 9 / 10)));
  json_builder_set_member_name (jb, "min");
  json_builder_add_double_value (jb, g_array_index (sorted, double, 0));
  json_builder_set_member_name (jb, "max");
  json_builder_add_double_value (jb, g_array_index (sorted, double, n - 1));
  json_builder_end_object (jb);
}

static double
median (GArray *values)
{
  g_autoptr(GArray) sorted = g_array_copy (values);

  g_array_sort (sorted, compare_double);
  return g_array_index (sorted, double, sorted->len / 2);
}

/* Each step of pe_store_add_page () on its own, on the last page, ten times. */
static void
add_breakdown (JsonBuilder *jb,
               PIX         *pix,
               GBytes      *raw,
               const char  *dir,
               double       store_median)
{
  g_autoptr(GArray) encode = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) sha = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) write = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) write_nosync = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *path = g_build_filename (dir, "breakdown.pnm", NULL);
  g_autofree char *plain = g_build_filename (dir, "breakdown-nosync.pnm", NULL);
  gsize size = 0;
  const guint8 *data = raw != NULL ? g_bytes_get_data (raw, &size) : NULL;

  for (guint i = 0; i < 10; i++)
    {
      l_uint8 *encoded = NULL;
      size_t encoded_size = 0;
      g_autofree char *hex = NULL;
      gint64 t0, t1, t2, t3, t4;
      double v;

      t0 = g_get_monotonic_time ();
      pixWriteMem (&encoded, &encoded_size, pix, IFF_PNM);
      t1 = g_get_monotonic_time ();
      if (data == NULL)
        {
          data = encoded;
          size = encoded_size;
        }
      pe_fs_write_atomic (path, data, size, NULL);
      t2 = g_get_monotonic_time ();
      hex = pe_fs_sha256_data (data, size);
      t3 = g_get_monotonic_time ();
      /* The same bytes without fsync: what the disk's flush costs. */
      g_file_set_contents (plain, (const char *) data, size, NULL);
      t4 = g_get_monotonic_time ();
      if (data == encoded)
        data = NULL;
      lept_free (encoded);

      v = (t1 - t0) / 1000.0;
      g_array_append_val (encode, v);
      v = (t2 - t1) / 1000.0;
      g_array_append_val (write, v);
      v = (t3 - t2) / 1000.0;
      g_array_append_val (sha, v);
      v = (t4 - t3) / 1000.0;
      g_array_append_val (write_nosync, v);
    }
  g_unlink (path);
  g_unlink (plain);

  json_builder_set_member_name (jb, "breakdown_median_ms");
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "write_fsync_rename_fsync_dir");
  json_builder_add_double_value (jb, median (write));
  json_builder_set_member_name (jb, "write_without_fsync");
  json_builder_add_double_value (jb, median (write_nosync));
  json_builder_set_member_name (jb, "sha256");
  json_builder_add_double_value (jb, median (sha));
  json_builder_set_member_name (jb, "sqlite_commit_and_rest");
  json_builder_add_double_value (jb, MAX (store_median - median (write) - median (sha)
                                          - (raw == NULL ? median (encode) : 0), 0.0));
  /* Leptonica's PNM writer on the PIX: what the store spends when it is not given the raw
   * frame (not part of the overhead above when raw_frame_used is true). */
  json_builder_set_member_name (jb, "pix_pnm_encode");
  json_builder_add_double_value (jb, median (encode));
  json_builder_end_object (jb);
  json_builder_set_member_name (jb, "raw_frame_used");
  json_builder_add_boolean_value (jb, raw != NULL);
}

/* Removes the directories this program made (store, SANE config). */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static char *
make_sane_config (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("pe-bench-sane-XXXXXX", &error);
  g_autofree char *dll = NULL;
  g_autofree char *conf = NULL;

  if (dir == NULL)
    g_error ("%s", error->message);
  dll = g_build_filename (dir, "dll.conf", NULL);
  conf = g_build_filename (dir, "test.conf", NULL);
  /* An A4 scan area (the default test.conf stops at 200 mm). */
  if (!g_file_set_contents (dll, "test\n", -1, &error)
      || !g_file_set_contents (conf,
                               "number_of_devices 1\n"
                               "mode Gray\n"
                               "depth 8\n"
                               "resolution_min 1.0\nresolution_max 1200.0\n"
                               "resolution_quant 1.0\nresolution 300.0\n"
                               "test-picture \"Grid\"\n"
                               "geometry_min 0.0\ngeometry_max 300.0\ngeometry_quant 1.0\n"
                               "tl_x 0.0\ntl_y 0.0\nbr_x 210.0\nbr_y 297.0\n", -1, &error))
    g_error ("%s", error->message);
  return dir;
}

int
main (int   argc,
      char *argv[])
{
  static int n_pages = 25;
  static char *dir_arg;
  const GOptionEntry entries[] = {
    { "pages", 'n', 0, G_OPTION_ARG_INT, &n_pages, "Pages to scan (at least 20)", "N" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir_arg, "Where to put the store", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("");
  g_autoptr(GError) error = NULL;
  g_autofree char *sane_dir = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *store_dir = NULL;
  g_autoptr(PeSqliteStore) store = NULL;
  g_autoptr(PeScanner) scanner = NULL;
  g_autoptr(JsonBuilder) jb = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  PeScanOptions options = { .resolution = 300, .mode = "gray", .page_size = "a4" };
  Bench b = { 0 };
  double med;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  n_pages = MAX (n_pages, 20);

  /* Before the SANE thread starts: SANE reads this once. */
  sane_dir = make_sane_config ();
  g_setenv ("SANE_CONFIG_DIR", sane_dir, TRUE);

  dir = dir_arg != NULL ? g_build_filename (dir_arg, "pe-bench-XXXXXX", NULL)
                        : g_build_filename (g_get_tmp_dir (), "pe-bench-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    g_error ("cannot create %s", dir);
  store_dir = g_build_filename (dir, "store", NULL);
  store = pe_sqlite_store_new (store_dir, &error);
  if (store == NULL)
    g_error ("%s", error->message);

  b.store = PE_STORE (store);
  b.batch = pe_store_create_batch (b.store, "bench", &error);
  b.overhead_ms = g_array_new (FALSE, FALSE, sizeof (double));
  b.to_callback_ms = g_array_new (FALSE, FALSE, sizeof (double));
  b.store_ms = g_array_new (FALSE, FALSE, sizeof (double));
  if (b.batch == 0)
    g_error ("%s", error->message);

  /* The flatbed gives a page per sane_start(), as many as asked for. */
  options.max_pages = n_pages;
  scanner = pe_scanner_new ("test:0");
  pe_scanner_scan_async (scanner, &options, NULL, record_page, &b, NULL, scan_done, &b);
  while (!b.done)
    g_main_context_iteration (NULL, TRUE);
  if (b.error != NULL)
    g_error ("scan failed after %u pages: %s", b.pages, b.error->message);

  med = median (b.overhead_ms);
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "benchmark");
  json_builder_add_string_value (jb, "last sane_read to page recorded");
  json_builder_set_member_name (jb, "device");
  json_builder_add_string_value (jb, "test:0, A4 300 dpi grey 8 bit");
  json_builder_set_member_name (jb, "store_dir");
  json_builder_add_string_value (jb, store_dir);
  json_builder_set_member_name (jb, "pages");
  json_builder_add_int_value (jb, b.pages);
  json_builder_set_member_name (jb, "width");
  json_builder_add_int_value (jb, b.width);
  json_builder_set_member_name (jb, "height");
  json_builder_add_int_value (jb, b.height);
  json_builder_set_member_name (jb, "frame_bytes");
  json_builder_add_int_value (jb, (gint64) b.width * b.height);
  add_stats (jb, "overhead_ms", b.overhead_ms);
  add_stats (jb, "read_end_to_callback_ms", b.to_callback_ms);
  add_stats (jb, "store_add_page_ms", b.store_ms);
  add_breakdown (jb, b.last, b.last_raw, dir, median (b.store_ms));
  json_builder_set_member_name (jb, "target_median_ms");
  json_builder_add_double_value (jb, TARGET_MS);
  json_builder_set_member_name (jb, "within_target");
  json_builder_add_boolean_value (jb, med <= TARGET_MS);
  json_builder_end_object (jb);
  root = json_builder_get_root (jb);
  json = json_to_string (root, TRUE);
  printf ("%s\n", json);

  pixDestroy (&b.last);
  g_clear_pointer (&b.last_raw, g_bytes_unref);
  g_array_unref (b.overhead_ms);
  g_array_unref (b.to_callback_ms);
  g_array_unref (b.store_ms);
  g_clear_object (&store);
  remove_tree (dir);
  remove_tree (sane_dir);
  return med <= TARGET_MS ? 0 : 1;
}
