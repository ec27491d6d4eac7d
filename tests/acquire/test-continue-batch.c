/* test-continue-batch.c: a fault in the middle of a batch keeps the pages scanned so far in
 * the batch store, and "continue batch" appends the rest to the same batch in order — through
 * PePipeline, the real store and real SANE backends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "pe-error.h"
#include "pe-pipeline.h"
#include "pe-recorded-frames.h"
#include "pe-scanner.h"
#include "pe-sim-feeder.h"
#include "pe-test-common.h"

typedef struct
{
  char       *dir;
  PePipeline *pipeline;
  GArray     *added;       /* gint64 page ids from ::page-added, in order */
} Fixture;

static void
page_added_cb (PePipeline *pipeline,
               gint64      batch_id,
               gint64      page_id,
               const char *image_path,
               gpointer    user_data)
{
  Fixture *f = user_data;

  g_assert_true (g_file_test (image_path, G_FILE_TEST_IS_REGULAR));
  g_array_append_val (f->added, page_id);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;

  f->dir = pe_test_mkdtemp ();
  store = g_build_filename (f->dir, "store", NULL);
  f->pipeline = pe_pipeline_new (store, &error);
  g_assert_no_error (error);
  f->added = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (f->pipeline, "page-added", G_CALLBACK (page_added_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->pipeline);
  g_array_unref (f->added);
  pe_test_rmdir (f->dir);
  g_free (f->dir);
}

static void
store_result (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static guint
scan_into (Fixture              *f,
           gint64                batch,
           PeScanner            *scanner,
           const PeScanOptions  *options,
           PeSheetFunc           sheet_func,
           gpointer              sheet_data,
           GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  guint pages;

  pe_pipeline_scan_async (f->pipeline, batch, scanner, options, sheet_func, sheet_data, NULL,
                          store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  pages = pe_pipeline_scan_finish (f->pipeline, result, error);
  /* ::page-added is queued before the result; let it arrive. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return pages;
}

static GPtrArray *
list_pages (Fixture *f,
            gint64   batch)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *pages = pe_store_list_pages (pe_pipeline_get_store (f->pipeline), batch, &error);

  g_assert_no_error (error);
  return pages;
}

static void
assert_seq (GPtrArray *pages)
{
  for (guint i = 0; i < pages->len; i++)
    g_assert_cmpuint (((PePageRecord *) g_ptr_array_index (pages, i))->seq, ==, i + 1);
}

static void
assert_stored_is (PePageRecord *record,
                  PIX          *want)
{
  g_autoptr(PIX) stored = pixRead (record->image_path);
  l_int32 same = 0;

  g_assert_nonnull (stored);
  pixSetSpp (stored, pixGetSpp (want));
  pixEqual (stored, want, &same);
  if (!same)
    g_error ("page %u (%s) is not the page fed", record->seq, record->image_path);
}

/* Sheet 3 of a pnm feeder jams (the backend's status-jammed option, set for that sheet). */
typedef struct
{
  PeSimFeeder *feeder;
  guint        jam_sheet;
} JamFeed;

static char **
jam_sheet_func (guint    sheet,
                gpointer user_data)
{
  JamFeed *jf = user_data;
  char **options = pe_sim_feeder_sheet_func (sheet, jf->feeder);

  if (options != NULL && sheet == jf->jam_sheet)
    {
      guint n = g_strv_length (options);

      options = g_renew (char *, options, n + 2);
      options[n] = g_strdup ("status-jammed=yes");
      options[n + 1] = NULL;
    }
  return options;
}

static void
test_pnm_jam_continue (Fixture       *f,
                       gconstpointer  data)
{
  const char *names[] = { "p0001.png", "p0003.png", "p0005.png", "p0007.png", "p0002.png" };
  g_auto(GStrv) paths = g_new0 (char *, G_N_ELEMENTS (names) + 1);
  g_autoptr(PeSimFeeder) stack = NULL;
  g_autoptr(PeSimFeeder) rest = NULL;
  g_autoptr(PeScanner) scanner = pe_scanner_new ("pnm:0");
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  JamFeed jf = { NULL, 3 };
  gint64 batch;
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    paths[i] = pe_test_sample_page (names[i]);

  batch = pe_pipeline_new_batch (f->pipeline, "Post 3 Dezember", &error);
  g_assert_no_error (error);

  stack = pe_sim_feeder_new ((const char *const *) paths, &error);
  g_assert_no_error (error);
  jf.feeder = stack;
  n = scan_into (f, batch, scanner, &(PeScanOptions) { 0 }, jam_sheet_func, &jf, &error);

  /* The jam stops the batch; sheets 1 and 2 are in the store, committed, announced. */
  g_assert_error (error, PE_ERROR, PE_ERROR_JAMMED);
  g_assert_cmpstr (error->message, ==,
                   "Paper jam: remove the jammed sheet, then continue the batch.");
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (f->added->len, ==, 2);
  pages = list_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 2);
  assert_seq (pages);
  g_clear_error (&error);
  g_clear_pointer (&pages, g_ptr_array_unref);

  /* The clerk clears the jam and puts sheets 3 … 5 back: same batch, appended in order. */
  rest = pe_sim_feeder_new ((const char *const *) paths + 2, &error);
  g_assert_no_error (error);
  n = scan_into (f, batch, scanner, &(PeScanOptions) { 0 }, pe_sim_feeder_sheet_func, rest,
                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (f->added->len, ==, 5);

  pages = list_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 5);
  assert_seq (pages);
  for (guint i = 0; i < pages->len; i++)
    {
      PePageRecord *record = g_ptr_array_index (pages, i);
      g_autoptr(PIX) want = pixRead (paths[i]);

      g_assert_cmpint (record->id, ==, g_array_index (f->added, gint64, i));
      g_assert_cmpint (record->batch_id, ==, batch);
      g_assert_cmpstr (record->source, ==, "pnm:0");
      g_assert_cmpuint (record->state, ==, PE_PAGE_ACQUIRED);
      assert_stored_is (record, want);
      /* The continued pages come from a feeder that knows the files' resolution. */
      if (i >= 2)
        g_assert_cmpuint (record->dpi, ==, 200);
    }
}

static PIX *
make_page (guint n)
{
  PIX *pix = pixCreate (300 + n, 200, 8);

  pixSetAllArbitrary (pix, 20 * n);
  return pix;
}

/* Faults the simulated backends cannot raise mid-batch (cover opened, the device unplugged),
 * through recorded frames, then the batch continued on the same scanner. */
static void
test_recorded_faults_continue (Fixture       *f,
                               gconstpointer  data)
{
  const char *const sources[] = { "Flatbed", "ADF", NULL };
  g_autoptr(PeRecordedFrames) rec = pe_recorded_frames_new (sources);
  g_autoptr(PeScanner) scanner = pe_scanner_new_for_source ("recorded:adf",
                                                            PE_FRAME_SOURCE (rec));
  PeScanOptions adf = { .source = "adf", .resolution = 300, .mode = "gray" };
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  gint64 batch;
  guint n;

  batch = pe_pipeline_new_batch (f->pipeline, "recorded", &error);
  g_assert_no_error (error);

  /* 1 2, cover opened before sheet 3; then 3 4 jam halfway through 5; then 5 6. */
  for (guint i = 1; i <= 6; i++)
    {
      g_autoptr(PIX) pix = make_page (i);

      if (i == 3)
        pe_recorded_frames_add_start_fault (rec, SANE_STATUS_COVER_OPEN);
      if (i == 5)
        pe_recorded_frames_add_read_fault (rec, pix, SANE_STATUS_JAMMED);
      pe_recorded_frames_add_pix (rec, pix);
    }

  n = scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_COVER_OPEN);
  g_assert_cmpuint (n, ==, 2);
  g_clear_error (&error);

  n = scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_JAMMED);
  g_assert_cmpuint (n, ==, 2);
  g_clear_error (&error);

  n = scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  pages = list_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 6);
  assert_seq (pages);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(PIX) want = make_page (i + 1);

      assert_stored_is (g_ptr_array_index (pages, i), want);
      g_assert_cmpuint (((PePageRecord *) g_ptr_array_index (pages, i))->dpi, ==, 300);
    }
  g_clear_pointer (&pages, g_ptr_array_unref);

  /* Unplugged in the middle of sheet 7: 6 pages stay; the next try fails cleanly. */
  {
    g_autoptr(PIX) p7 = make_page (7);

    pe_recorded_frames_add_unplug (rec, p7);
  }
  n = scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_DEVICE);
  g_assert_cmpuint (n, ==, 0);
  g_clear_error (&error);
  n = scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_error (error, PE_ERROR, PE_ERROR_DEVICE);
  g_assert_cmpuint (n, ==, 0);
  pages = list_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, 6);
}

/* The test backend's 10-sheet feeder, cancelled after sheet 4 (the clerk stops), continued:
 * the batch has 4 + 10 pages in order, none lost, none twice. */
static void
test_cancel_continue (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PeScanner) scanner = pe_scanner_new ("test:0");
  const char *const grid[] = { "test-picture=Grid", NULL };
  PeScanOptions adf = { .source = "adf", .resolution = 50, .mode = "gray", .options = grid };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  gint64 batch;
  guint n;

  batch = pe_pipeline_new_batch (f->pipeline, "test feeder", &error);
  g_assert_no_error (error);

  pe_pipeline_scan_async (f->pipeline, batch, scanner, &adf, NULL, NULL, cancellable,
                          store_result, &result);
  while (result == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      if (f->added->len == 4)
        g_cancellable_cancel (cancellable);
    }
  n = pe_pipeline_scan_finish (f->pipeline, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Cancel stops after the page being read: 4, or 5 if the fifth was already under way. */
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpuint (n, <=, 5);
  g_clear_error (&error);

  n += scan_into (f, batch, scanner, &adf, NULL, NULL, &error);
  g_assert_no_error (error);

  pages = list_pages (f, batch);
  g_assert_cmpuint (pages->len, ==, n);
  g_assert_cmpuint (pages->len, >=, 14);
  assert_seq (pages);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/acquire/continue-batch/pnm-jam", Fixture, NULL, fixture_setup,
              test_pnm_jam_continue, fixture_teardown);
  g_test_add ("/acquire/continue-batch/recorded-faults", Fixture, NULL, fixture_setup,
              test_recorded_faults_continue, fixture_teardown);
  g_test_add ("/acquire/continue-batch/cancel", Fixture, NULL, fixture_setup,
              test_cancel_continue, fixture_teardown);

  return g_test_run ();
}
