/* test-store.c: the SQLite batch store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pe-error.h"
#include "pe-fs.h"
#include "pe-sqlite-store.h"
#include "pe-test-common.h"

static PIX *
make_page (guint w,
           guint h,
           guint depth)
{
  PIX *pix = pixCreate (w, h, depth);

  /* Not blank, so two pages hash differently. */
  BOX *box = boxCreate (w / 4, h / 4, w / 2, h / 2);

  pixSetAll (pix);
  pixClearInRect (pix, box);
  boxDestroy (&box);
  pixSetResolution (pix, 200, 200);
  return pix;
}

static int
count_rows (const char *dir,
            const char *sql)
{
  g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
test_pages_reopen (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *first_sha = NULL;
  gint64 batch;

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(PIX) a = make_page (300, 400, 8);
    g_autoptr(PIX) b = make_page (320, 410, 1);
    g_autoptr(PePageRecord) pa = NULL;
    g_autoptr(PePageRecord) pb = NULL;
    g_autofree char *sha = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (pe_sqlite_store_get_schema_version (store), ==,
                      PE_SQLITE_STORE_SCHEMA_VERSION);

    batch = pe_store_create_batch (PE_STORE (store), "Post 2026-12-03", &error);
    g_assert_no_error (error);
    g_assert_cmpint (batch, >, 0);

    pa = pe_store_add_page (PE_STORE (store), batch, a, NULL, NULL, "test:0", &error);
    g_assert_no_error (error);
    pb = pe_store_add_page (PE_STORE (store), batch, b, NULL, NULL, "test:0", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pa->seq, ==, 1);
    g_assert_cmpuint (pb->seq, ==, 2);
    g_assert_true (g_file_test (pa->image_path, G_FILE_TEST_IS_REGULAR));

    /* The recorded hash is the hash of the file on disk. */
    sha = pe_fs_sha256_file (pa->image_path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sha, ==, pa->sha256);
    g_assert_cmpstr (pa->sha256, !=, pb->sha256);
    first_path = g_strdup (pa->image_path);
    first_sha = g_strdup (pa->sha256);
  }

  /* Reopen: everything committed is still there, in order. */
  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = NULL;
    PePageRecord *p;

    g_assert_no_error (error);
    pages = pe_store_list_pages (PE_STORE (store), batch, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pages->len, ==, 2);
    p = g_ptr_array_index (pages, 0);
    g_assert_cmpstr (p->image_path, ==, first_path);
    g_assert_cmpstr (p->sha256, ==, first_sha);
    g_assert_cmpuint (p->dpi, ==, 200);
    g_assert_cmpuint (p->width, ==, 300);
    g_assert_cmpuint (p->height, ==, 400);
    g_assert_cmpuint (p->depth, ==, 8);
    g_assert_cmpstr (p->source, ==, "test:0");
    g_assert_cmpint (p->state, ==, PE_PAGE_ACQUIRED);
    p = g_ptr_array_index (pages, 1);
    g_assert_cmpuint (p->depth, ==, 1);

    /* The stored image decodes to the same pixels. */
    {
      g_autoptr(PIX) back = pixRead (p->image_path);
      g_autoptr(PIX) orig = make_page (320, 410, 1);
      l_int32 same = 0;

      g_assert_nonnull (back);
      pixEqual (back, orig, &same);
      g_assert_true (same);
    }

    g_assert_true (pe_store_set_page_ocr (PE_STORE (store), p->id, "level\n", "deu", 91.5,
                                          &error));
    g_assert_no_error (error);
  }

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = pe_store_list_pages (PE_STORE (store), batch, &error);
    PePageRecord *p = g_ptr_array_index (pages, 1);

    g_assert_no_error (error);
    g_assert_cmpint (p->state, ==, PE_PAGE_OCR_DONE);
    g_assert_cmpstr (p->ocr_languages, ==, "deu");
    g_assert_cmpfloat_with_epsilon (p->ocr_confidence, 91.5, 0.001);
  }

  pe_test_rmdir (dir);
}

static void
test_document_transaction (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
  g_autoptr(PIX) pix = make_page (100, 100, 8);
  g_autoptr(PePageRecord) p1 = NULL;
  g_autoptr(PePageRecord) p2 = NULL;
  g_autoptr(PeDocumentRecord) doc = NULL;
  g_autoptr(PeDocumentRecord) again = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  gint64 batch, other;

  g_assert_no_error (error);
  batch = pe_store_create_batch (PE_STORE (store), NULL, &error);
  other = pe_store_create_batch (PE_STORE (store), NULL, &error);
  p1 = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL, NULL, &error);
  p2 = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* A page from another batch aborts the whole document: no half-linked row remains. */
  {
    gint64 ids[] = { p2->id, p1->id };
    g_autoptr(PeDocumentRecord) bad = pe_store_create_document (PE_STORE (store), other, ids, 2,
                                                                NULL, &error);
    g_assert_null (bad);
    g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }
  g_assert_cmpint (count_rows (dir, "SELECT COUNT(*) FROM documents"), ==, 0);
  g_assert_cmpint (count_rows (dir, "SELECT COUNT(*) FROM document_pages"), ==, 0);

  {
    gint64 ids[] = { p2->id, p1->id };
    doc = pe_store_create_document (PE_STORE (store), batch, ids, 2, "{\"title\":\"x\"}", &error);
  }
  g_assert_no_error (error);
  g_assert_nonnull (doc->uuid);
  g_assert_true (g_uuid_string_is_valid (doc->uuid));
  g_assert_cmpuint (doc->page_ids->len, ==, 2);
  g_assert_cmpint (g_array_index (doc->page_ids, gint64, 0), ==, p2->id);
  g_assert_cmpint (g_array_index (doc->page_ids, gint64, 1), ==, p1->id);
  g_assert_cmpint (doc->state, ==, PE_DOCUMENT_OPEN);

  g_assert_true (pe_store_set_document_pdf (PE_STORE (store), doc->id, "/x.pdf", "abc", NULL,
                                            &error));
  g_assert_no_error (error);
  again = pe_store_get_document (PE_STORE (store), doc->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->state, ==, PE_DOCUMENT_BUILT);
  g_assert_cmpstr (again->pdf_sha256, ==, "abc");
  g_assert_cmpstr (again->metadata_json, ==, "{\"title\":\"x\"}");

  docs = pe_store_list_documents (PE_STORE (store), batch, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (docs->len, ==, 1);

  g_assert_false (pe_store_set_page_state (PE_STORE (store), 9999, PE_PAGE_FAILED, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_null (pe_store_list_pages (PE_STORE (store), 4242, &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);

  pe_test_rmdir (dir);
}

static void
test_outbox (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
  g_autoptr(PIX) pix = make_page (100, 100, 8);
  g_autoptr(PePageRecord) p = NULL;
  g_autoptr(PeDocumentRecord) doc = NULL;
  g_autoptr(PeDocumentRecord) after = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(GPtrArray) all = NULL;
  PeOutboxItem *item;
  gint64 batch;

  g_assert_no_error (error);
  batch = pe_store_create_batch (PE_STORE (store), NULL, &error);
  p = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL, NULL, &error);
  doc = pe_store_create_document (PE_STORE (store), batch, &p->id, 1, NULL, &error);
  g_assert_no_error (error);

  /* Enqueueing twice keeps one item: a retry after a crash cannot duplicate a delivery. */
  g_assert_true (pe_store_outbox_enqueue (PE_STORE (store), doc->id, "folder:/tmp/o", &error));
  g_assert_true (pe_store_outbox_enqueue (PE_STORE (store), doc->id, "folder:/tmp/o", &error));
  g_assert_no_error (error);
  due = pe_store_outbox_list (PE_STORE (store), TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  item = g_ptr_array_index (due, 0);
  g_assert_cmpstr (item->document_uuid, ==, doc->uuid);
  g_assert_cmpstr (item->target, ==, "folder:/tmp/o");
  g_assert_cmpuint (item->attempts, ==, 0);

  /* A failed attempt is retried later, not now. */
  g_assert_true (pe_store_outbox_mark (PE_STORE (store), item->id, PE_OUTBOX_PENDING, "timeout",
                                       g_get_real_time () / G_USEC_PER_SEC + 3600, &error));
  g_assert_no_error (error);
  later = pe_store_outbox_list (PE_STORE (store), TRUE, &error);
  g_assert_cmpuint (later->len, ==, 0);

  g_assert_true (pe_store_outbox_mark (PE_STORE (store), item->id, PE_OUTBOX_DELIVERED, NULL, 0,
                                       &error));
  g_assert_no_error (error);
  all = pe_store_outbox_list (PE_STORE (store), FALSE, &error);
  g_assert_cmpuint (all->len, ==, 1);
  item = g_ptr_array_index (all, 0);
  g_assert_cmpint (item->state, ==, PE_OUTBOX_DELIVERED);
  g_assert_cmpuint (item->attempts, ==, 2);
  g_assert_nonnull (item->delivered_at);

  after = pe_store_get_document (PE_STORE (store), doc->uuid, &error);
  g_assert_cmpint (after->state, ==, PE_DOCUMENT_DELIVERED);

  pe_test_rmdir (dir);
}

static void
test_migration (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  gint64 batch;

  /* A store written by schema 1 (before the outbox existed)… */
  {
    g_autoptr(PeSqliteStore) old = _pe_sqlite_store_new_at_version (dir, 1, &error);
    g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
    sqlite3 *db = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (pe_sqlite_store_get_schema_version (old), ==, 1);
    batch = pe_store_create_batch (PE_STORE (old), "old", &error);
    g_assert_no_error (error);
    /* Today's code writes today's columns: the old rows are written as schema 1 did. */
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO pages (batch_id, seq, image, sha256, dpi, "
                                   "width, height, depth, created) VALUES "
                                   "(1, 1, 'p0001.pnm', 'x', 200, 64, 64, 8, '2026'),"
                                   "(1, 2, 'p0002.pnm', 'y', 200, 64, 64, 8, '2026')",
                                   NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
  }
  g_assert_cmpint (count_rows (dir, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox'"),
                   ==, 0);

  /* …is migrated on open, keeping its data. */
  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = NULL;
    g_autoptr(GPtrArray) items = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (pe_sqlite_store_get_schema_version (store), ==,
                      PE_SQLITE_STORE_SCHEMA_VERSION);
    pages = pe_store_list_pages (PE_STORE (store), batch, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pages->len, ==, 2);
    /* Columns added by later steps read as their defaults; the reading order is the feed's. */
    g_assert_null (((PePageRecord *) g_ptr_array_index (pages, 0))->clean_image_path);
    g_assert_false (((PePageRecord *) g_ptr_array_index (pages, 0))->blank);
    for (guint i = 0; i < 2; i++)
      g_assert_cmpuint (((PePageRecord *) g_ptr_array_index (pages, i))->position, ==, i + 1);
    items = pe_store_outbox_list (PE_STORE (store), FALSE, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (items->len, ==, 0);
  }
  g_assert_cmpint (count_rows (dir, "PRAGMA user_version"), ==, PE_SQLITE_STORE_SCHEMA_VERSION);

  /* A store from a newer Posteingang is refused, not damaged. */
  {
    g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==,
                     SQLITE_OK);
    sqlite3_close (db);
  }
  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);

    g_assert_null (store);
    g_assert_error (error, PE_ERROR, PE_ERROR_STORE);
  }
  g_assert_cmpint (count_rows (dir, "PRAGMA user_version"), ==, 99);

  pe_test_rmdir (dir);
}

static void
test_wal (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);

  g_assert_no_error (error);
  {
    g_autofree char *path = g_build_filename (dir, "store.sqlite", NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  pe_test_rmdir (dir);
}

static void
test_page_clean (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) grey = make_page (200, 300, 8);
  g_autoptr(PIX) bitonal = make_page (200, 300, 1);
  g_autoptr(PePageRecord) a = NULL;
  g_autoptr(PePageRecord) b = NULL;
  /* The store keeps these bytes as they are; what they mean is the PDF stage's business. */
  g_autoptr(GBytes) prepared = g_bytes_new_static ("PDFPAGE\0\1\2", 10);
  gint64 batch;

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);

    g_assert_no_error (error);
    batch = pe_store_create_batch (PE_STORE (store), NULL, &error);
    a = pe_store_add_page (PE_STORE (store), batch, grey, NULL, NULL, NULL, &error);
    b = pe_store_add_page (PE_STORE (store), batch, grey, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (pe_store_set_page_clean (PE_STORE (store), a->id, bitonal, NULL,
                                            "{\"skew_deg\":1.5}", FALSE, &error));
    g_assert_true (pe_store_set_page_clean (PE_STORE (store), b->id, grey, prepared, "{}", TRUE,
                                            &error));
    g_assert_no_error (error);
    g_assert_false (pe_store_set_page_clean (PE_STORE (store), 777, grey, NULL, "{}", TRUE,
                                             &error));
    g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = pe_store_list_pages (PE_STORE (store), batch, &error);
    PePageRecord *pa = g_ptr_array_index (pages, 0);
    PePageRecord *pb = g_ptr_array_index (pages, 1);
    g_autoptr(PIX) back = NULL;
    l_int32 same = 0;

    g_assert_no_error (error);
    g_assert_cmpint (pa->state, ==, PE_PAGE_CLEANED);
    g_assert_false (pa->blank);
    g_assert_true (pb->blank);
    g_assert_cmpstr (pa->clean_report_json, ==, "{\"skew_deg\":1.5}");
    /* Bitonal pages are kept as G4 TIFF, others as PNG; the original stays beside them. */
    g_assert_true (g_str_has_suffix (pa->clean_image_path, ".clean.tif"));
    g_assert_true (g_str_has_suffix (pb->clean_image_path, ".clean.png"));
    g_assert_true (g_file_test (pa->image_path, G_FILE_TEST_IS_REGULAR));
    /* The page as encoded for the PDF is kept byte for byte. */
    g_assert_null (pa->pdf_page_path);
    g_assert_true (g_str_has_suffix (pb->pdf_page_path, ".pdfpage"));
    {
      g_autofree char *content = NULL;
      gsize len;

      g_assert_true (g_file_get_contents (pb->pdf_page_path, &content, &len, NULL));
      g_assert_cmpmem (content, len, "PDFPAGE\0\1\2", 10);
    }
    back = pixRead (pa->clean_image_path);
    g_assert_nonnull (back);
    pixEqual (back, bitonal, &same);
    g_assert_true (same);

    /* Cleaning again never moves a page back from a later state. */
    g_assert_true (pe_store_set_page_ocr (PE_STORE (store), pa->id, "x", "deu", 90, &error));
    g_assert_true (pe_store_set_page_clean (PE_STORE (store), pa->id, NULL, prepared, "{}",
                                            FALSE, &error));
  }
  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = pe_store_list_pages (PE_STORE (store), batch, &error);

    g_assert_cmpint (((PePageRecord *) g_ptr_array_index (pages, 0))->state, ==,
                     PE_PAGE_OCR_DONE);
  }

  pe_test_rmdir (dir);
}

/* Page and document hashes: known answers, and the same as GLib's on odd lengths. */
static void
test_sha256 (void)
{
  g_autofree char *empty = pe_fs_sha256_data ("", 0);
  g_autofree char *abc = pe_fs_sha256_data ("abc", 3);
  g_autofree guint8 *data = g_malloc (1000003);

  g_assert_cmpstr (empty, ==,
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpstr (abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  for (guint i = 0; i < 1000003; i++)
    data[i] = (guint8) (i * 7919 >> 3);
  for (gsize len = 1000003; len > 999990; len--)
    {
      g_autofree char *ours = pe_fs_sha256_data (data, len);
      g_autofree char *glib = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);

      g_assert_cmpstr (ours, ==, glib);
    }
}

/* Collation reorders some pages and leaves the others where they were, durably. */
static void
test_page_order (void)
{
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  gint64 ids[5];
  gint64 batch;

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    gint64 swap[2];
    gint64 foreign[2];

    g_assert_no_error (error);
    batch = pe_store_create_batch (PE_STORE (store), "order", &error);
    for (guint i = 0; i < 4; i++)
      {
        g_autoptr(PIX) pix = make_page (64 + i, 64, 8);
        g_autoptr(PePageRecord) p = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL,
                                                       "test", &error);

        g_assert_no_error (error);
        ids[i] = p->id;
      }
    swap[0] = ids[2];
    swap[1] = ids[0];
    g_assert_true (pe_store_set_page_order (PE_STORE (store), batch, swap, 2, &error));
    g_assert_no_error (error);

    /* A page of another batch is refused and nothing changes. */
    {
      gint64 other = pe_store_create_batch (PE_STORE (store), "other", &error);
      g_autoptr(PIX) pix = make_page (80, 64, 8);
      g_autoptr(PePageRecord) p = pe_store_add_page (PE_STORE (store), other, pix, NULL, NULL,
                                                     "test", &error);

      g_assert_no_error (error);
      foreign[0] = ids[1];
      foreign[1] = p->id;
      g_assert_false (pe_store_set_page_order (PE_STORE (store), batch, foreign, 2, &error));
      g_assert_error (error, PE_ERROR, PE_ERROR_NOT_FOUND);
      g_clear_error (&error);
    }

    /* A page added later comes last. */
    {
      g_autoptr(PIX) pix = make_page (90, 64, 8);
      g_autoptr(PePageRecord) p = pe_store_add_page (PE_STORE (store), batch, pix, NULL, NULL,
                                                     "test", &error);

      g_assert_no_error (error);
      ids[4] = p->id;
    }
  }

  {
    g_autoptr(PeSqliteStore) store = pe_sqlite_store_new (dir, &error);
    g_autoptr(GPtrArray) pages = pe_store_list_pages (PE_STORE (store), batch, &error);
    gint64 expected[] = { ids[2], ids[1], ids[0], ids[3], ids[4] };
    guint expected_seq[] = { 3, 2, 1, 4, 5 };

    g_assert_no_error (error);
    g_assert_cmpuint (pages->len, ==, 5);
    for (guint i = 0; i < 5; i++)
      {
        PePageRecord *p = g_ptr_array_index (pages, i);

        g_assert_cmpint (p->id, ==, expected[i]);
        g_assert_cmpuint (p->seq, ==, expected_seq[i]);
        g_assert_cmpuint (p->position, ==, i + 1);
      }
  }

  pe_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/pages/reopen", test_pages_reopen);
  g_test_add_func ("/store/documents/transaction", test_document_transaction);
  g_test_add_func ("/store/outbox/queue", test_outbox);
  g_test_add_func ("/store/migration", test_migration);
  g_test_add_func ("/store/wal", test_wal);
  g_test_add_func ("/store/pages/clean", test_page_clean);
  g_test_add_func ("/store/pages/order", test_page_order);
  g_test_add_func ("/store/sha256", test_sha256);

  return g_test_run ();
}
