/* test-pipeline.c: the stages driven together — processing while the scanner still feeds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pe-error.h"
#include "pe-pipeline.h"
#include "pe-sim-feeder.h"
#include "pe-test-common.h"

typedef struct
{
  GMainLoop   *loop;
  guint        waiting;
  guint        pages_scanned;
  gboolean     scan_done;
  guint        read_when_scan_done;
  guint        read;
  gboolean     process_ok;
  GError      *scan_error;
  GError      *process_error;
  PeProcessSummary summary;
} Run;

/* A slow feeder: the scanner takes a while to bring in each sheet after the first. */
static char **
slow_sheet (guint    sheet,
            gpointer user_data)
{
  if (sheet > 1)
    g_usleep (1500 * 1000);
  return pe_sim_feeder_sheet_func (sheet, user_data);
}

static void
progress_cb (PePipeline *pipeline,
             const char *stage,
             guint       done,
             guint       total,
             Run        *run)
{
  if (g_str_equal (stage, "ocr"))
    run->read = done;
}

static void
run_one_done (Run *run)
{
  if (--run->waiting == 0)
    g_main_loop_quit (run->loop);
}

static void
scan_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Run *run = user_data;

  run->pages_scanned = pe_pipeline_scan_finish (PE_PIPELINE (object), result, &run->scan_error);
  run->scan_done = TRUE;
  run->read_when_scan_done = run->read;
  run_one_done (run);
}

static void
process_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = user_data;

  run->process_ok = pe_pipeline_process_finish (PE_PIPELINE (object), result, &run->summary,
                                                &run->process_error);
  run_one_done (run);
}

/* Started together, processing reads the first pages while the later ones are still being
 * scanned, and ends with every page of the scan in the document. */
static void
test_process_while_scanning (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *store = g_build_filename (dir, "store", NULL);
  g_autofree char *outbox = g_build_filename (dir, "outbox", NULL);
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autofree char *p5 = pe_test_sample_page ("p0005.png");
  const char *files[] = { p1, p3, p5, NULL };
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(PeSimFeeder) feeder = NULL;
  g_autoptr(PeScanner) scanner = NULL;
  g_autoptr(GError) error = NULL;
  PeScanOptions options = { 0 };
  Run run = { 0 };
  gint64 batch;

  pipeline = pe_pipeline_new (store, &error);
  g_assert_no_error (error);
  pe_pipeline_set_outbox_dir (pipeline, outbox);
  feeder = pe_sim_feeder_new (files, &error);
  g_assert_no_error (error);
  batch = pe_pipeline_new_batch (pipeline, "streaming", &error);
  g_assert_no_error (error);
  scanner = pe_scanner_new ("pnm:0");
  g_signal_connect (pipeline, "progress", G_CALLBACK (progress_cb), &run);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.waiting = 2;
  pe_pipeline_scan_async (pipeline, batch, scanner, &options, slow_sheet, feeder, NULL,
                          scan_done_cb, &run);
  pe_pipeline_process_async (pipeline, batch, NULL, process_done_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);

  g_assert_no_error (run.scan_error);
  g_assert_no_error (run.process_error);
  g_assert_true (run.process_ok);
  g_assert_cmpuint (run.pages_scanned, ==, 3);
  /* Two sheets took 1.5 s each to come in; reading a 200 dpi letter takes well under that. */
  g_test_message ("pages read when the scan ended: %u of 3", run.read_when_scan_done);
  g_assert_cmpuint (run.read_when_scan_done, >=, 1);
  g_assert_cmpuint (run.summary.documents, ==, 1);
  g_assert_cmpuint (run.summary.pages, ==, 3);

  pe_test_rmdir (dir);
}

static void
cancel_on_first_page (PePipeline   *pipeline,
                      gint64        batch_id,
                      gint64        page_id,
                      const char   *path,
                      GCancellable *cancellable)
{
  g_cancellable_cancel (cancellable);
}

/* The clerk stops the scan after the first sheet: the page is kept and read, but no
 * document is made of half a stack, so continuing the batch later loses nothing. */
static void
test_scan_stopped_early (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  g_autofree char *p5 = pe_test_sample_page ("p0005.png");
  const char *files[] = { p1, p3, p5, NULL };
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(PeSimFeeder) feeder = NULL;
  g_autoptr(PeScanner) scanner = NULL;
  g_autoptr(GCancellable) cancel_scan = g_cancellable_new ();
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) error = NULL;
  PeScanOptions options = { 0 };
  Run run = { 0 };
  gint64 batch;

  pipeline = pe_pipeline_new (dir, &error);
  g_assert_no_error (error);
  feeder = pe_sim_feeder_new (files, &error);
  g_assert_no_error (error);
  batch = pe_pipeline_new_batch (pipeline, "stopped", &error);
  g_assert_no_error (error);
  scanner = pe_scanner_new ("pnm:0");
  g_signal_connect (pipeline, "page-added", G_CALLBACK (cancel_on_first_page), cancel_scan);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.waiting = 2;
  pe_pipeline_scan_async (pipeline, batch, scanner, &options, slow_sheet, feeder, cancel_scan,
                          scan_done_cb, &run);
  pe_pipeline_process_async (pipeline, batch, NULL, process_done_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);

  g_assert_error (run.scan_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&run.scan_error);
  /* Cancel stops after the sheet being fed when the clerk pressed it. */
  g_assert_cmpuint (run.pages_scanned, >=, 1);
  g_assert_cmpuint (run.pages_scanned, <, 3);
  g_assert_false (run.process_ok);
  g_assert_error (run.process_error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&run.process_error);

  pages = pe_store_list_pages (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages->len, ==, run.pages_scanned);
  for (guint i = 0; i < pages->len; i++)
    g_assert_cmpint (((PePageRecord *) g_ptr_array_index (pages, i))->state, ==,
                     PE_PAGE_OCR_DONE);
  docs = pe_store_list_documents (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, 0);

  pe_test_rmdir (dir);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Run *run = user_data;

  run->pages_scanned = pe_pipeline_import_finish (PE_PIPELINE (object), result,
                                                  &run->scan_error);
  run_one_done (run);
}

/* Imports @files and processes them while they come in; both must succeed. */
static void
import_and_process (PePipeline         *pipeline,
                    gint64              batch,
                    const char * const *files,
                    Run                *run)
{
  run->loop = g_main_loop_new (NULL, FALSE);
  run->waiting = 2;
  pe_pipeline_import_async (pipeline, batch, files, NULL, import_done_cb, run);
  pe_pipeline_process_async (pipeline, batch, NULL, process_done_cb, run);
  g_main_loop_run (run->loop);
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_assert_no_error (run->scan_error);
  g_assert_no_error (run->process_error);
}

/* The cleanup settings given to the pipeline are the ones its pages are cleaned with. */
static void
test_clean_params (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  const char *files[] = { p1, NULL };
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  PeCleanParams params;
  Run run = { 0 };
  gint64 batch;

  pipeline = pe_pipeline_new (dir, &error);
  g_assert_no_error (error);
  pe_pipeline_set_outbox_dir (pipeline, dir);
  pe_clean_params_init_default (&params);
  params.color = PE_COLOR_GREY;
  pe_pipeline_set_clean_params (pipeline, &params);
  batch = pe_pipeline_new_batch (pipeline, "grey", &error);
  g_assert_no_error (error);

  import_and_process (pipeline, batch, files, &run);

  pages = pe_store_list_pages (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages->len, ==, 1);
  g_assert_nonnull (strstr (((PePageRecord *) g_ptr_array_index (pages, 0))->clean_report_json,
                            "\"color\":\"grey\""));

  pe_test_rmdir (dir);
}

/* PDF/A-3b: the document carries its sidecar metadata as an associated XML file, and passes
 * the validator as 3b (only the embedded-file rule excused). */
static void
test_pdfa_3b (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *outbox = g_build_filename (dir, "outbox", NULL);
  g_autofree char *p1 = pe_test_sample_page ("p0001.png");
  g_autofree char *p3 = pe_test_sample_page ("p0003.png");
  const char *files[] = { p1, p3, NULL };
  g_autofree char *pdfa_check = pe_test_tool_path ("pdfa-check");
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *check = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml_path = NULL;
  PeDocumentRecord *doc;
  Run run = { 0 };
  gint64 batch;

  pipeline = pe_pipeline_new (dir, &error);
  g_assert_no_error (error);
  pe_pipeline_set_outbox_dir (pipeline, outbox);
  pe_pipeline_set_pdfa_level (pipeline, PE_PDFA_3B);
  batch = pe_pipeline_new_batch (pipeline, "3b", &error);
  g_assert_no_error (error);

  import_and_process (pipeline, batch, files, &run);
  g_assert_cmpuint (run.summary.documents, ==, 1);

  docs = pe_store_list_documents (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  doc = g_ptr_array_index (docs, 0);
  {
    const char *argv[] = { pdfa_check, doc->pdf_path, NULL };

    g_assert_cmpint (pe_test_run (argv, &check, NULL), ==, 0);
    g_test_message ("%s", check);
    g_assert_true (g_str_has_prefix (check, "PASS-3B-UNDER-1B-RULES"));
  }
  {
    g_autofree char *to = g_build_filename (dir, "detached", NULL);
    const char *argv[] = { "pdfdetach", "-saveall", "-o", to, doc->pdf_path, NULL };

    g_assert_cmpint (g_mkdir (to, 0700), ==, 0);
    g_assert_cmpint (pe_test_run (argv, NULL, NULL), ==, 0);
    xml_path = g_build_filename (to, "posteingang-metadata.xml", NULL);
  }
  g_assert_true (g_file_get_contents (xml_path, &xml, NULL, NULL));
  g_assert_nonnull (strstr (xml, "urn:de:posteingang:sidecar:1"));
  g_assert_nonnull (strstr (xml, doc->uuid));

  pe_test_rmdir (dir);
}

static gint64
page_seq_of (GPtrArray *pages,
             gint64     id)
{
  PePageRecord *page = pe_page_records_find (pages, id);

  g_assert_nonnull (page);
  return page->seq;
}

/* The sample stack has a QR separator sheet between its letters: four documents, the
 * separator sheets kept in the batch, marked, and not read. Every two pages, by count. */
static void
test_split (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) error = NULL;
  PeSplitParams params;
  Run run = { 0 };
  gint64 batch;

  for (guint i = 1; i <= 7; i++)
    {
      g_autofree char *name = g_strdup_printf ("p%04u.png", i);

      g_ptr_array_add (paths, pe_test_sample_page (name));
    }
  g_ptr_array_add (paths, NULL);

  pipeline = pe_pipeline_new (dir, &error);
  g_assert_no_error (error);
  pe_pipeline_set_outbox_dir (pipeline, dir);
  batch = pe_pipeline_new_batch (pipeline, "sample", &error);
  g_assert_no_error (error);
  import_and_process (pipeline, batch, (const char * const *) paths->pdata, &run);
  g_assert_cmpuint (run.summary.documents, ==, 4);
  g_assert_cmpuint (run.summary.pages, ==, 4);

  pages = pe_store_list_pages (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pages->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      PePageRecord *page = g_ptr_array_index (pages, i);
      gboolean separator = page->seq % 2 == 0;

      g_assert_cmpint (page->separator, ==, separator);
      if (separator)
        {
          g_assert_nonnull (strstr (page->clean_report_json, "\"PATCHT\""));
          g_assert_null (strstr (page->ocr_tsv, "TRENNBLATT"));
        }
    }
  docs = pe_store_list_documents (pe_pipeline_get_store (pipeline), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      PeDocumentRecord *doc = g_ptr_array_index (docs, i);

      g_assert_cmpuint (doc->page_ids->len, ==, 1);
      g_assert_cmpint (page_seq_of (pages, g_array_index (doc->page_ids, gint64, 0)), ==,
                       2 * i + 1);
    }

  /* By count, in a new batch of the four letters: two documents of two. */
  {
    const char *letters[] = { paths->pdata[0], paths->pdata[2], paths->pdata[4],
                              paths->pdata[6], NULL };
    Run again = { 0 };

    pe_split_params_init_default (&params);
    params.mode = PE_SPLIT_PAGE_COUNT;
    params.page_count = 2;
    g_assert_true (pe_pipeline_set_split (pipeline, &params, NULL, &error));
    g_assert_no_error (error);
    batch = pe_pipeline_new_batch (pipeline, "by count", &error);
    import_and_process (pipeline, batch, letters, &again);
    g_assert_cmpuint (again.summary.documents, ==, 2);
    g_assert_cmpuint (again.summary.pages, ==, 4);
  }

  /* A separator text with a control character is refused. */
  g_assert_false (pe_pipeline_set_split (pipeline, &params, "PATCH\tT", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);

  pe_test_rmdir (dir);
}

/* Processing a batch nobody is scanning into ends at once with the clear message. */
static void
test_process_empty_batch (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(PePipeline) pipeline = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };
  gint64 batch;

  pipeline = pe_pipeline_new (dir, &error);
  g_assert_no_error (error);
  batch = pe_pipeline_new_batch (pipeline, "empty", &error);
  g_assert_no_error (error);

  run.loop = g_main_loop_new (NULL, FALSE);
  run.waiting = 1;
  pe_pipeline_process_async (pipeline, batch, NULL, process_done_cb, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);

  g_assert_false (run.process_ok);
  g_assert_error (run.process_error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&run.process_error);

  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pipeline/process-while-scanning", test_process_while_scanning);
  g_test_add_func ("/pipeline/scan-stopped-early", test_scan_stopped_early);
  g_test_add_func ("/pipeline/clean-params", test_clean_params);
  g_test_add_func ("/pipeline/pdfa-3b", test_pdfa_3b);
  g_test_add_func ("/pipeline/split", test_split);
  g_test_add_func ("/pipeline/empty-batch", test_process_empty_batch);

  return g_test_run ();
}
