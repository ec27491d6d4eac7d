/* test-outbox.c: the outbox and the folder target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pe-error.h"
#include "pe-fs.h"
#include "pe-outbox.h"
#include "pe-target.h"
#include "pe-sqlite-store.h"
#include "pe-test-common.h"

typedef struct
{
  char             *dir;
  char             *outbox;
  PeSqliteStore    *store;
  PeDocumentRecord *doc;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) pix = pixCreate (80, 120, 8);
  g_autoptr(PePageRecord) p1 = NULL;
  g_autoptr(PePageRecord) p2 = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *sha = NULL;
  const char *content = "%PDF-1.7\n% not a real PDF, the outbox only moves bytes\n%%EOF\n";
  gint64 batch, ids[2];

  f->dir = pe_test_mkdtemp ();
  f->outbox = g_build_filename (f->dir, "outbox", NULL);
  f->store = pe_sqlite_store_new (f->dir, &error);
  g_assert_no_error (error);

  pixSetResolution (pix, 300, 300);
  batch = pe_store_create_batch (PE_STORE (f->store), "test", &error);
  p1 = pe_store_add_page (PE_STORE (f->store), batch, pix, NULL, NULL, "test:0", &error);
  p2 = pe_store_add_page (PE_STORE (f->store), batch, pix, NULL, NULL, "test:0", &error);
  g_assert_no_error (error);
  ids[0] = p1->id;
  ids[1] = p2->id;
  f->doc = pe_store_create_document (PE_STORE (f->store), batch, ids, 2,
                                     "{\"title\":\"Bauantrag\",\"pdfa\":\"2b\","
                                     "\"languages\":\"deu\"}", &error);
  g_assert_no_error (error);

  pdf = g_build_filename (f->dir, "documents", "x.pdf", NULL);
  g_assert_true (pe_fs_write_atomic (pdf, content, strlen (content), &error));
  sha = pe_fs_sha256_file (pdf, &error);
  g_assert_true (pe_store_set_document_pdf (PE_STORE (f->store), f->doc->id, pdf, sha, NULL,
                                            &error));
  g_assert_no_error (error);
  g_free (f->doc->pdf_path);
  f->doc->pdf_path = g_steal_pointer (&pdf);
  f->doc->pdf_sha256 = g_steal_pointer (&sha);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  pe_document_record_free (f->doc);
  g_assert_finalize_object (f->store);
  pe_test_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->outbox);
}

static char *
target_uri (const char *dir)
{
  return g_strconcat ("folder:", dir, NULL);
}

static void
delivered_cb (const char *document_id,
              const char *target,
              gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (document_id));
}

static void
test_folder_delivery (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = target_uri (f->outbox);
  g_autofree char *pdf_name = g_strdup_printf ("%s.pdf", f->doc->uuid);
  g_autofree char *json_name = g_strdup_printf ("%s.json", f->doc->uuid);
  g_autofree char *pdf = g_build_filename (f->outbox, pdf_name, NULL);
  g_autofree char *json = g_build_filename (f->outbox, json_name, NULL);
  g_autofree char *sha = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDir) d = NULL;
  PeOutboxRun run;
  JsonObject *root, *page;
  JsonArray *pages;
  guint n_files = 0;

  g_assert_true (pe_store_outbox_enqueue (PE_STORE (f->store), f->doc->id, uri, &error));
  g_assert_true (pe_outbox_deliver_due (PE_STORE (f->store), delivered_cb, seen, &run, NULL,
                                        NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (run.delivered, ==, 1);
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (run.remaining, ==, 0);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, f->doc->uuid);

  sha = pe_fs_sha256_file (pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, f->doc->pdf_sha256);

  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "posteingang-sidecar/1");
  g_assert_cmpstr (json_object_get_string_member (root, "id"), ==, f->doc->uuid);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "pdf"), "sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "pdf"), "file"), ==, pdf_name);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "ocr"), "languages"), ==, "deu");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "software"), "version"), ==,
                   PACKAGE_VERSION);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (root, "metadata"), "title"), ==, "Bauantrag");
  pages = json_object_get_array_member (root, "pages");
  g_assert_cmpuint (json_array_get_length (pages), ==, 2);
  page = json_array_get_object_element (pages, 1);
  g_assert_cmpint (json_object_get_int_member (page, "number"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (page, "dpi"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (page, "width"), ==, 80);
  g_assert_cmpstr (json_object_get_string_member (page, "source"), ==, "test:0");
  g_assert_cmpuint (strlen (json_object_get_string_member (page, "image_sha256")), ==, 64);

  /* Exactly the two files: no temporary file left behind. */
  d = g_dir_open (f->outbox, 0, &error);
  while (g_dir_read_name (d) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 2);

  /* Nothing is due any more, so a second run sends nothing twice. */
  g_assert_true (pe_outbox_deliver_due (PE_STORE (f->store), NULL, NULL, &run, NULL, NULL,
                                        &error));
  g_assert_cmpuint (run.delivered, ==, 0);
}

static void
test_idempotent_retry (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = target_uri (f->outbox);
  g_autoptr(PeTarget) target = pe_target_new_for_uri (uri, &error);
  g_autofree char *pdf_name = g_strdup_printf ("%s.pdf", f->doc->uuid);
  g_autofree char *pdf = g_build_filename (f->outbox, pdf_name, NULL);
  PeDelivery d = {
    .document_id = f->doc->uuid,
    .pdf_path = f->doc->pdf_path,
    .pdf_sha256 = f->doc->pdf_sha256,
    .sidecar_json = "{}",
  };

  g_assert_no_error (error);
  /* A crash after the target wrote but before the outbox recorded it: delivering again
   * succeeds without a second copy. */
  g_assert_true (pe_target_deliver (target, &d, NULL, &error));
  g_assert_true (pe_target_deliver (target, &d, NULL, &error));
  g_assert_no_error (error);

  /* Someone else's file under our name is never overwritten. */
  g_assert_true (g_file_set_contents (pdf, "other", -1, &error));
  g_assert_false (pe_target_deliver (target, &d, NULL, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_DELIVERY);
  g_clear_error (&error);
  {
    g_autofree char *content = NULL;

    g_assert_true (g_file_get_contents (pdf, &content, NULL, NULL));
    g_assert_cmpstr (content, ==, "other");
  }

  g_assert_null (pe_target_new_for_uri ("gopher://x", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED);
}

static void
test_failure_is_retried (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) first = NULL;
  g_autofree char *blocker = g_build_filename (f->dir, "blocker", NULL);
  g_autofree char *bad_dir = g_build_filename (blocker, "outbox", NULL);
  g_autofree char *uri = target_uri (bad_dir);
  g_autoptr(GPtrArray) items = NULL;
  PeOutboxItem *item;
  PeOutboxRun run;

  /* The target folder cannot be created: a regular file is in the way. */
  g_assert_true (g_file_set_contents (blocker, "", 0, &error));
  g_assert_true (pe_store_outbox_enqueue (PE_STORE (f->store), f->doc->id, uri, &error));
  g_assert_true (pe_outbox_deliver_due (PE_STORE (f->store), NULL, NULL, &run, &first, NULL,
                                        &error));
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_cmpuint (run.delivered, ==, 0);
  g_assert_cmpuint (run.failed, ==, 1);
  g_assert_cmpuint (run.remaining, ==, 1);

  items = pe_store_outbox_list (PE_STORE (f->store), FALSE, &error);
  item = g_ptr_array_index (items, 0);
  g_assert_cmpint (item->state, ==, PE_OUTBOX_PENDING);
  g_assert_cmpuint (item->attempts, ==, 1);
  g_assert_nonnull (item->last_error);
  g_assert_cmpint (item->next_attempt, >, g_get_real_time () / G_USEC_PER_SEC);

  g_assert_cmpuint (pe_outbox_backoff (0), ==, 30);
  g_assert_cmpuint (pe_outbox_backoff (1), ==, 60);
  g_assert_cmpuint (pe_outbox_backoff (30), ==, 3600);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/deliver/folder/sidecar", Fixture, NULL, fixture_setup, test_folder_delivery,
              fixture_teardown);
  g_test_add ("/deliver/folder/idempotent", Fixture, NULL, fixture_setup, test_idempotent_retry,
              fixture_teardown);
  g_test_add ("/deliver/outbox/retry", Fixture, NULL, fixture_setup, test_failure_is_retried,
              fixture_teardown);

  return g_test_run ();
}
