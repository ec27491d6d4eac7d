/* pe-sqlite-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SQLite database in WAL mode with synchronous=FULL: a state change is on disk when its call
 * returns. One connection, serialised by a mutex, because state changes are small and the store
 * must never be the slow part next to OCR.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pe-error.h"
#include "pe-fs.h"
#include "pe-sqlite-store.h"
#include "pe-image-write.h"

struct _PeSqliteStore
{
  GObject   parent_instance;

  char     *dir;
  sqlite3  *db;
  GMutex    lock;
  guint     schema_version;
};

static void store_iface_init (PeStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PeSqliteStore, pe_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PE_TYPE_STORE, store_iface_init))

/* Each entry migrates from version i to i + 1. Never edit a released step: add a new one. */
static const char *migrations[] = {
  /* 1: batches, pages, documents */
  "CREATE TABLE batches ("
  "  id INTEGER PRIMARY KEY,"
  "  label TEXT,"
  "  created TEXT NOT NULL);"
  "CREATE TABLE pages ("
  "  id INTEGER PRIMARY KEY,"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  seq INTEGER NOT NULL,"
  "  image TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  dpi INTEGER NOT NULL,"
  "  width INTEGER NOT NULL,"
  "  height INTEGER NOT NULL,"
  "  depth INTEGER NOT NULL,"
  "  source TEXT,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  ocr_tsv TEXT,"
  "  ocr_languages TEXT,"
  "  ocr_confidence REAL,"
  "  created TEXT NOT NULL,"
  "  UNIQUE (batch_id, seq));"
  "CREATE TABLE documents ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL UNIQUE,"
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
  "  seq INTEGER NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  metadata TEXT NOT NULL DEFAULT '{}',"
  "  pdf_path TEXT,"
  "  pdf_sha256 TEXT,"
  "  created TEXT NOT NULL);"
  "CREATE TABLE document_pages ("
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  position INTEGER NOT NULL,"
  "  page_id INTEGER NOT NULL REFERENCES pages (id),"
  "  PRIMARY KEY (document_id, position));",

  /* 2: the outbox, a persistent delivery queue */
  "CREATE TABLE outbox ("
  "  id INTEGER PRIMARY KEY,"
  "  document_id INTEGER NOT NULL REFERENCES documents (id),"
  "  target TEXT NOT NULL,"
  "  state INTEGER NOT NULL DEFAULT 0,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt INTEGER NOT NULL DEFAULT 0,"
  "  last_error TEXT,"
  "  delivered_at TEXT,"
  "  UNIQUE (document_id, target));"
  "CREATE INDEX outbox_due ON outbox (state, next_attempt);",

  /* 3: the cleaned page next to the original, and what cleanup did */
  "ALTER TABLE pages ADD COLUMN clean_image TEXT;"
  "ALTER TABLE pages ADD COLUMN clean_report TEXT;"
  "ALTER TABLE pages ADD COLUMN blank INTEGER NOT NULL DEFAULT 0;",

  /* 4: a reading order of its own (manual duplex collates the feed order) */
  "ALTER TABLE pages ADD COLUMN position INTEGER;"
  "UPDATE pages SET position = seq;"
  "CREATE INDEX pages_order ON pages (batch_id, position);",

  /* 5: the page as encoded for the PDF, made once right after cleanup */
  "ALTER TABLE pages ADD COLUMN pdf_page TEXT;",

  /* 6: what splitting a stack into documents needs: the sheet and side a page was scanned as,
   * and separator sheets found by the separate stage */
  "ALTER TABLE pages ADD COLUMN sheet INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE pages ADD COLUMN back_side INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE pages ADD COLUMN separator INTEGER NOT NULL DEFAULT 0;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == PE_SQLITE_STORE_SCHEMA_VERSION);

static gboolean
set_db_error (PeSqliteStore  *self,
              GError        **error)
{
  int code = sqlite3_extended_errcode (self->db);

  if (code == SQLITE_FULL)
    g_set_error (error, PE_ERROR, PE_ERROR_NO_SPACE,
                 _("The disk holding the batch store is full. Free some space, then try again; "
                   "nothing already scanned is lost."));
  else
    g_set_error (error, PE_ERROR, PE_ERROR_STORE,
                 _("The batch store in “%s” could not be updated: %s"),
                 self->dir, sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (PeSqliteStore  *self,
      const char     *sql,
      GError        **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (self, error);
  return TRUE;
}

static sqlite3_stmt *
prepare (PeSqliteStore  *self,
         const char     *sql,
         GError        **error)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error);
      return NULL;
    }
  return stmt;
}

static void
finalize_stmt (sqlite3_stmt *stmt)
{
  sqlite3_finalize (stmt);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, finalize_stmt)

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format_iso8601 (now);
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static gboolean
step_done (PeSqliteStore  *self,
           sqlite3_stmt   *stmt,
           GError        **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error);
  return TRUE;
}

static gboolean
migrate (PeSqliteStore  *self,
         guint           target,
         GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "PRAGMA user_version", error);

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error);
  self->schema_version = sqlite3_column_int (stmt, 0);

  if (self->schema_version > PE_SQLITE_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_STORE,
                   _("The batch store in “%s” was written by a newer version of Posteingang "
                     "(schema %u). Update Posteingang to open it."),
                   self->dir, self->schema_version);
      return FALSE;
    }

  while (self->schema_version < target)
    {
      g_autofree char *sql = NULL;

      /* Each step and its version bump commit together: a crash mid-migration leaves the
       * previous version intact. */
      sql = g_strdup_printf ("BEGIN IMMEDIATE; %s PRAGMA user_version = %u; COMMIT;",
                             migrations[self->schema_version], self->schema_version + 1);
      if (!exec (self, sql, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
      self->schema_version++;
    }

  return TRUE;
}

static gboolean
pe_sqlite_store_open (PeSqliteStore  *self,
                      guint           version,
                      GError        **error)
{
  g_autofree char *path = g_build_filename (self->dir, "store.sqlite", NULL);
  g_autofree char *pages = g_build_filename (self->dir, "pages", NULL);
  g_autofree char *documents = g_build_filename (self->dir, "documents", NULL);

  if (g_mkdir_with_parents (pages, 0700) != 0 || g_mkdir_with_parents (documents, 0700) != 0)
    return pe_fs_set_error (error, errno, self->dir);

  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_STORE,
                   _("The batch store “%s” could not be opened: %s"), path,
                   self->db ? sqlite3_errmsg (self->db) : g_strerror (ENOMEM));
      return FALSE;
    }
  sqlite3_busy_timeout (self->db, 10000);

  return exec (self, "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON;", error) &&
         migrate (self, version, error);
}

static void
pe_sqlite_store_finalize (GObject *object)
{
  PeSqliteStore *self = (PeSqliteStore *) object;

  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->dir, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pe_sqlite_store_parent_class)->finalize (object);
}

static void
pe_sqlite_store_class_init (PeSqliteStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pe_sqlite_store_finalize;
}

static void
pe_sqlite_store_init (PeSqliteStore *self)
{
  g_mutex_init (&self->lock);
}

PeSqliteStore *
_pe_sqlite_store_new_at_version (const char  *dir,
                                 guint        version,
                                 GError     **error)
{
  g_autoptr(PeSqliteStore) self = NULL;

  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (version <= PE_SQLITE_STORE_SCHEMA_VERSION, NULL);

  self = g_object_new (PE_TYPE_SQLITE_STORE, NULL);
  self->dir = g_canonicalize_filename (dir, NULL);
  if (!pe_sqlite_store_open (self, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

PeSqliteStore *
pe_sqlite_store_new (const char  *dir,
                     GError     **error)
{
  return _pe_sqlite_store_new_at_version (dir, PE_SQLITE_STORE_SCHEMA_VERSION, error);
}

const char *
pe_sqlite_store_get_dir (PeSqliteStore *self)
{
  g_return_val_if_fail (PE_IS_SQLITE_STORE (self), NULL);
  return self->dir;
}

guint
pe_sqlite_store_get_schema_version (PeSqliteStore *self)
{
  g_return_val_if_fail (PE_IS_SQLITE_STORE (self), 0);
  return self->schema_version;
}

/* --- batches ----------------------------------------------------------------------------- */

static gint64
store_create_batch (PeStore     *store,
                    const char  *label,
                    GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *now = now_iso8601 ();

  stmt = prepare (self, "INSERT INTO batches (label, created) VALUES (?, ?)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, label, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error))
    return 0;

  return sqlite3_last_insert_rowid (self->db);
}

static GArray *
store_list_batches (PeStore  *store,
                    GError  **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT id FROM batches ORDER BY id", error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&ids);
}

/* --- pages ------------------------------------------------------------------------------- */

static gboolean
batch_exists (PeSqliteStore  *self,
              gint64          batch_id,
              GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "SELECT 1 FROM batches WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("Batch %lld does not exist. List the batches with "
                     "“posteingang-cli process --list”."), (long long) batch_id);
      return FALSE;
    }
  return TRUE;
}

static PePageRecord *
store_add_page (PeStore     *store,
                gint64       batch_id,
                PIX         *pix,
                GBytes      *original,
                const char  *original_ext,
                const char  *source,
                guint        sheet,
                gboolean     back_side,
                GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) seq_stmt = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(PePageRecord) record = g_new0 (PePageRecord, 1);
  g_autofree char *batch_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree guint8 *encoded = NULL;
  const guint8 *data;
  gsize length;

  if (!batch_exists (self, batch_id, error))
    return NULL;

  seq_stmt = prepare (self, "SELECT COALESCE (MAX (seq), 0) + 1 FROM pages WHERE batch_id = ?",
                      error);
  if (seq_stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (seq_stmt, 1, batch_id);
  if (sqlite3_step (seq_stmt) != SQLITE_ROW)
    {
      set_db_error (self, error);
      return NULL;
    }
  record->seq = sqlite3_column_int (seq_stmt, 0);

  if (original != NULL)
    {
      data = g_bytes_get_data (original, &length);
    }
  else
    {
      size_t size = 0;

      /* Raw PNM: the cheapest durable form of a fresh scan; compression is a later,
       * off-thread step. */
      encoded = pe_store_encode_pnm (pix, &size);
      if (encoded == NULL && pixWriteMem (&encoded, &size, pix, IFF_PNM) != 0)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_STORE,
                       _("A scanned page could not be encoded for the batch store."));
          return NULL;
        }
      data = encoded;
      length = size;
      original_ext = "pnm";
    }

  batch_dir = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT, self->dir, batch_id);
  if (g_mkdir_with_parents (batch_dir, 0700) != 0)
    {
      pe_fs_set_error (error, errno, batch_dir);
      return NULL;
    }
  name = g_strdup_printf ("p%04u.%s", record->seq, original_ext);
  record->image_path = g_build_filename (batch_dir, name, NULL);

  /* The file is durable before its row exists, so no row ever points at nothing. */
  if (!pe_fs_write_atomic (record->image_path, data, length, error))
    return NULL;

  record->batch_id = batch_id;
  record->sha256 = pe_fs_sha256_data (data, length);
  record->dpi = pixGetXRes (pix) > 0 ? pixGetXRes (pix) : 300;
  record->width = pixGetWidth (pix);
  record->height = pixGetHeight (pix);
  record->depth = pixGetDepth (pix);
  record->source = g_strdup (source);
  record->sheet = sheet;
  record->back_side = back_side;
  record->state = PE_PAGE_ACQUIRED;
  record->created = now_iso8601 ();

  /* A new page comes last in reading order too: positions are a permutation of the seqs. */
  stmt = prepare (self, "INSERT INTO pages (batch_id, seq, image, sha256, dpi, width, height, "
                        "depth, source, state, created, position, sheet, back_side) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?2,?12,?13)", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  sqlite3_bind_int (stmt, 2, record->seq);
  sqlite3_bind_text (stmt, 3, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, record->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 5, record->dpi);
  sqlite3_bind_int (stmt, 6, record->width);
  sqlite3_bind_int (stmt, 7, record->height);
  sqlite3_bind_int (stmt, 8, record->depth);
  sqlite3_bind_text (stmt, 9, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 10, record->state);
  sqlite3_bind_text (stmt, 11, record->created, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 12, sheet);
  sqlite3_bind_int (stmt, 13, back_side);
  if (!step_done (self, stmt, error))
    return NULL;
  record->id = sqlite3_last_insert_rowid (self->db);

  return g_steal_pointer (&record);
}

#define PAGE_COLUMNS "id, batch_id, seq, image, sha256, dpi, width, height, depth, source, " \
                     "state, ocr_tsv, ocr_languages, ocr_confidence, created, clean_image, " \
                     "clean_report, blank, position, pdf_page, sheet, back_side, separator"

static PePageRecord *
page_from_row (PeSqliteStore *self,
               sqlite3_stmt  *stmt)
{
  PePageRecord *record = g_new0 (PePageRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->batch_id = sqlite3_column_int64 (stmt, 1);
  record->seq = sqlite3_column_int (stmt, 2);
  /* Image paths are stored relative to the batch folder so a store can be moved. */
  record->image_path = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT "/%s", self->dir,
                                        record->batch_id, sqlite3_column_text (stmt, 3));
  record->sha256 = dup_column_text (stmt, 4);
  record->dpi = sqlite3_column_int (stmt, 5);
  record->width = sqlite3_column_int (stmt, 6);
  record->height = sqlite3_column_int (stmt, 7);
  record->depth = sqlite3_column_int (stmt, 8);
  record->source = dup_column_text (stmt, 9);
  record->state = sqlite3_column_int (stmt, 10);
  record->ocr_tsv = dup_column_text (stmt, 11);
  record->ocr_languages = dup_column_text (stmt, 12);
  record->ocr_confidence = sqlite3_column_double (stmt, 13);
  record->created = dup_column_text (stmt, 14);
  if (sqlite3_column_type (stmt, 15) != SQLITE_NULL)
    record->clean_image_path = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT "/%s", self->dir,
                                                record->batch_id,
                                                sqlite3_column_text (stmt, 15));
  record->clean_report_json = dup_column_text (stmt, 16);
  record->blank = sqlite3_column_int (stmt, 17);
  record->position = sqlite3_column_int (stmt, 18);
  if (sqlite3_column_type (stmt, 19) != SQLITE_NULL)
    record->pdf_page_path = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT "/%s", self->dir,
                                             record->batch_id,
                                             sqlite3_column_text (stmt, 19));
  record->sheet = sqlite3_column_int (stmt, 20);
  record->back_side = sqlite3_column_int (stmt, 21);
  record->separator = sqlite3_column_int (stmt, 22);

  return record;
}

static GPtrArray *
store_list_pages (PeStore  *store,
                  gint64    batch_id,
                  GError  **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  pages = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_page_record_free);
  if (!batch_exists (self, batch_id, error))
    return NULL;
  stmt = prepare (self, "SELECT " PAGE_COLUMNS " FROM pages WHERE batch_id = ? "
                        "ORDER BY position",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (pages, page_from_row (self, stmt));
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&pages);
}

static gboolean
update_one (PeSqliteStore  *self,
            sqlite3_stmt   *stmt,
            const char     *what,
            gint64          id,
            GError        **error)
{
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) != 1)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("%s %lld is not in the batch store."), what, (long long) id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
store_set_page_ocr (PeStore     *store,
                    gint64       page_id,
                    const char  *tsv,
                    const char  *languages,
                    double       confidence,
                    GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "UPDATE pages SET ocr_tsv = ?, ocr_languages = ?, ocr_confidence = ?, "
                        "state = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, tsv, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, languages, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 3, confidence);
  sqlite3_bind_int (stmt, 4, PE_PAGE_OCR_DONE);
  sqlite3_bind_int64 (stmt, 5, page_id);

  return update_one (self, stmt, _("Page"), page_id, error);
}

static gboolean
store_set_page_clean (PeStore     *store,
                      gint64       page_id,
                      PIX         *clean,
                      GBytes      *pdf_page,
                      const char  *report_json,
                      PePageFlags  flags,
                      GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree char *clean_name = NULL;
  g_autofree char *pdf_name = NULL;
  size_t size = 0;
  gint64 batch_id;
  int seq;

  /* Encoded outside the lock: other pages are recorded meanwhile. Bitonal pages as G4 TIFF
   * (a few ms, tens of KB), others as PNG at low compression: lossless either way. */
  if (clean != NULL && pixGetDepth (clean) == 1)
    {
      if (pixWriteMemTiff (&data, &size, clean, IFF_TIFF_G4) != 0)
        size = 0;
    }
  else if (clean != NULL)
    {
      pixSetZlibCompression (clean, 1);
      if (pixWriteMemPng (&data, &size, clean, 0.0) != 0)
        size = 0;
    }
  if (clean != NULL && size == 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_STORE,
                   _("A cleaned page could not be encoded for the batch store."));
      return FALSE;
    }

  locker = g_mutex_locker_new (&self->lock);
  find = prepare (self, "SELECT batch_id, seq FROM pages WHERE id = ?", error);
  if (find == NULL)
    return FALSE;
  sqlite3_bind_int64 (find, 1, page_id);
  if (sqlite3_step (find) != SQLITE_ROW)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                   _("%s %lld is not in the batch store."), _("Page"), (long long) page_id);
      return FALSE;
    }
  batch_id = sqlite3_column_int64 (find, 0);
  seq = sqlite3_column_int (find, 1);

  /* The files are durable before the row names them. */
  if (clean != NULL)
    {
      g_autofree char *path = NULL;

      clean_name = g_strdup_printf ("p%04d.clean.%s", seq,
                                    pixGetDepth (clean) == 1 ? "tif" : "png");
      path = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT "/%s", self->dir, batch_id,
                              clean_name);
      if (!pe_fs_write_atomic (path, data, size, error))
        return FALSE;
    }
  if (pdf_page != NULL)
    {
      g_autofree char *path = NULL;
      gsize len;
      const guint8 *bytes = g_bytes_get_data (pdf_page, &len);

      pdf_name = g_strdup_printf ("p%04d.pdfpage", seq);
      path = g_strdup_printf ("%s/pages/%" G_GINT64_FORMAT "/%s", self->dir, batch_id,
                              pdf_name);
      if (!pe_fs_write_atomic (path, bytes, len, error))
        return FALSE;
    }

  stmt = prepare (self, "UPDATE pages SET clean_image = ?, pdf_page = ?, clean_report = ?, "
                        "blank = ?, separator = ?, state = MAX (state, ?) WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, clean_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, pdf_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, report_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, (flags & PE_PAGE_FLAG_BLANK) != 0);
  sqlite3_bind_int (stmt, 5, (flags & PE_PAGE_FLAG_SEPARATOR) != 0);
  sqlite3_bind_int (stmt, 6, PE_PAGE_CLEANED);
  sqlite3_bind_int64 (stmt, 7, page_id);

  return update_one (self, stmt, _("Page"), page_id, error);
}

static gboolean
store_set_page_state (PeStore      *store,
                      gint64        page_id,
                      PePageState   state,
                      GError      **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, "UPDATE pages SET state = ? WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, state);
  sqlite3_bind_int64 (stmt, 2, page_id);

  return update_one (self, stmt, _("Page"), page_id, error);
}

static int
compare_int (gconstpointer a,
             gconstpointer b)
{
  return *(const int *) a - *(const int *) b;
}

/* The pages keep the positions they hold between them, handed out in the new order, so pages
 * not named keep theirs and the batch's order stays a permutation of its feed order. */
static gboolean
store_set_page_order (PeStore       *store,
                      gint64         batch_id,
                      const gint64  *page_ids,
                      guint          n_pages,
                      GError       **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) set = NULL;
  g_autofree int *positions = g_new (int, n_pages);

  if (!batch_exists (self, batch_id, error))
    return FALSE;
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  find = prepare (self, "SELECT position FROM pages WHERE id = ? AND batch_id = ?", error);
  set = prepare (self, "UPDATE pages SET position = ? WHERE id = ?", error);
  if (find == NULL || set == NULL)
    goto rollback;
  for (guint i = 0; i < n_pages; i++)
    {
      sqlite3_reset (find);
      sqlite3_bind_int64 (find, 1, page_ids[i]);
      sqlite3_bind_int64 (find, 2, batch_id);
      if (sqlite3_step (find) != SQLITE_ROW)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                       _("Page %lld is not part of batch %lld."),
                       (long long) page_ids[i], (long long) batch_id);
          goto rollback;
        }
      positions[i] = sqlite3_column_int (find, 0);
    }
  qsort (positions, n_pages, sizeof (int), compare_int);
  for (guint i = 0; i < n_pages; i++)
    {
      sqlite3_reset (set);
      sqlite3_bind_int (set, 1, positions[i]);
      sqlite3_bind_int64 (set, 2, page_ids[i]);
      if (!step_done (self, set, error))
        goto rollback;
    }
  if (!exec (self, "COMMIT", error))
    goto rollback;
  return TRUE;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* --- documents --------------------------------------------------------------------------- */

#define DOCUMENT_COLUMNS "id, uuid, batch_id, seq, state, metadata, pdf_path, pdf_sha256, created"

static PeDocumentRecord *
document_from_row (PeSqliteStore  *self,
                   sqlite3_stmt   *row,
                   GError        **error)
{
  g_autoptr(PeDocumentRecord) record = g_new0 (PeDocumentRecord, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  record->id = sqlite3_column_int64 (row, 0);
  record->uuid = dup_column_text (row, 1);
  record->batch_id = sqlite3_column_int64 (row, 2);
  record->seq = sqlite3_column_int (row, 3);
  record->state = sqlite3_column_int (row, 4);
  record->metadata_json = dup_column_text (row, 5);
  record->pdf_path = dup_column_text (row, 6);
  record->pdf_sha256 = dup_column_text (row, 7);
  record->created = dup_column_text (row, 8);
  record->page_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  stmt = prepare (self, "SELECT page_id FROM document_pages WHERE document_id = ? "
                        "ORDER BY position", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, record->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (record->page_ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&record);
}

/* One document by @where (with one parameter: @id, or @text when not NULL). Not found returns
 * NULL without setting @error: the caller says what was looked for. */
static PeDocumentRecord *
lookup_document (PeSqliteStore  *self,
                 const char     *where,
                 gint64          id,
                 const char     *text,
                 GError        **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT " DOCUMENT_COLUMNS " FROM documents WHERE %s",
                                          where);
  g_autoptr(sqlite3_stmt) stmt = prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return document_from_row (self, stmt, error);
  if (rc != SQLITE_DONE)
    set_db_error (self, error);
  return NULL;
}

static PeDocumentRecord *
store_create_document (PeStore       *store,
                       gint64         batch_id,
                       const gint64  *page_ids,
                       guint          n_pages,
                       const char    *metadata_json,
                       GError       **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) link = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *now = now_iso8601 ();
  gint64 doc_id;

  if (!batch_exists (self, batch_id, error))
    return NULL;

  /* The document and all its page links appear together or not at all. */
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return NULL;

  stmt = prepare (self, "INSERT INTO documents (uuid, batch_id, seq, state, metadata, created) "
                        "VALUES (?, ?, (SELECT COALESCE (MAX (seq), 0) + 1 FROM documents "
                        "WHERE batch_id = ?2), ?, ?, ?)", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, batch_id);
  sqlite3_bind_int (stmt, 3, PE_DOCUMENT_OPEN);
  sqlite3_bind_text (stmt, 4, metadata_json ? metadata_json : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, now, -1, SQLITE_TRANSIENT);
  if (!step_done (self, stmt, error))
    goto rollback;
  doc_id = sqlite3_last_insert_rowid (self->db);

  link = prepare (self, "INSERT INTO document_pages (document_id, position, page_id) "
                        "SELECT ?, ?, id FROM pages WHERE id = ? AND batch_id = ?", error);
  if (link == NULL)
    goto rollback;
  for (guint i = 0; i < n_pages; i++)
    {
      sqlite3_reset (link);
      sqlite3_bind_int64 (link, 1, doc_id);
      sqlite3_bind_int (link, 2, i + 1);
      sqlite3_bind_int64 (link, 3, page_ids[i]);
      sqlite3_bind_int64 (link, 4, batch_id);
      if (!step_done (self, link, error))
        goto rollback;
      if (sqlite3_changes (self->db) != 1)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_NOT_FOUND,
                       _("Page %lld is not part of batch %lld."),
                       (long long) page_ids[i], (long long) batch_id);
          goto rollback;
        }
    }

  if (!exec (self, "COMMIT", error))
    goto rollback;

  return lookup_document (self, "id = ?", doc_id, NULL, error);

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return NULL;
}

static GPtrArray *
store_list_documents (PeStore  *store,
                      gint64    batch_id,
                      GError  **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  docs = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_document_record_free);
  if (!batch_exists (self, batch_id, error))
    return NULL;
  stmt = prepare (self, "SELECT " DOCUMENT_COLUMNS " FROM documents WHERE batch_id = ? "
                        "ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, batch_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PeDocumentRecord *doc = document_from_row (self, stmt, error);

      if (doc == NULL)
        return NULL;
      g_ptr_array_add (docs, doc);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&docs);
}

static PeDocumentRecord *
store_get_document (PeStore     *store,
                    const char  *uuid,
                    GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  g_autoptr(GError) local_error = NULL;
  PeDocumentRecord *doc = lookup_document (self, "uuid = ?", 0, uuid, &local_error);

  if (doc == NULL && local_error == NULL)
    g_set_error (&local_error, PE_ERROR, PE_ERROR_NOT_FOUND,
                 _("Document “%s” is not in the batch store."), uuid);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return doc;
}

static PeDocumentRecord *
store_find_document_by_pdf (PeStore     *store,
                            const char  *pdf_sha256,
                            GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  g_autoptr(GError) local_error = NULL;
  PeDocumentRecord *doc = lookup_document (self, "pdf_sha256 = ?", 0, pdf_sha256, &local_error);

  if (doc == NULL && local_error == NULL)
    g_set_error (&local_error, PE_ERROR, PE_ERROR_NOT_FOUND,
                 _("No document in the batch store has a PDF with SHA-256 %s."), pdf_sha256);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return doc;
}

static gboolean
store_set_document_pdf (PeStore     *store,
                        gint64       document_id,
                        const char  *pdf_path,
                        const char  *pdf_sha256,
                        const char  *metadata_json,
                        GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "UPDATE documents SET pdf_path = ?, pdf_sha256 = ?, "
                        "metadata = COALESCE (?, metadata), state = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, pdf_path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, pdf_sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, metadata_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, PE_DOCUMENT_BUILT);
  sqlite3_bind_int64 (stmt, 5, document_id);

  return update_one (self, stmt, _("Document"), document_id, error);
}

static gboolean
store_set_document_state (PeStore          *store,
                          gint64            document_id,
                          PeDocumentState   state,
                          GError          **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = prepare (self, "UPDATE documents SET state = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, state);
  sqlite3_bind_int64 (stmt, 2, document_id);

  return update_one (self, stmt, _("Document"), document_id, error);
}

/* --- outbox ------------------------------------------------------------------------------ */

static gboolean
store_outbox_enqueue (PeStore     *store,
                      gint64       document_id,
                      const char  *target,
                      GError     **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) state = NULL;

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  stmt = prepare (self, "INSERT OR IGNORE INTO outbox (document_id, target) VALUES (?, ?)",
                  error);
  state = prepare (self, "UPDATE documents SET state = ? WHERE id = ? AND state < ?", error);
  if (stmt == NULL || state == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, document_id);
  sqlite3_bind_text (stmt, 2, target, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (state, 1, PE_DOCUMENT_QUEUED);
  sqlite3_bind_int64 (state, 2, document_id);
  sqlite3_bind_int (state, 3, PE_DOCUMENT_QUEUED);
  if (!step_done (self, stmt, error) || !step_done (self, state, error) ||
      !exec (self, "COMMIT", error))
    goto rollback;

  return TRUE;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static GPtrArray *
store_outbox_list (PeStore   *store,
                   gboolean   due_only,
                   GError   **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_outbox_item_free);
  stmt = prepare (self, "SELECT o.id, o.document_id, d.uuid, o.target, o.state, o.attempts, "
                        "o.next_attempt, o.last_error, o.delivered_at FROM outbox o "
                        "JOIN documents d ON d.id = o.document_id "
                        "WHERE ?1 = 0 OR (o.state = 0 AND o.next_attempt <= ?2) ORDER BY o.id",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, due_only);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PeOutboxItem *item = g_new0 (PeOutboxItem, 1);

      item->id = sqlite3_column_int64 (stmt, 0);
      item->document_id = sqlite3_column_int64 (stmt, 1);
      item->document_uuid = dup_column_text (stmt, 2);
      item->target = dup_column_text (stmt, 3);
      item->state = sqlite3_column_int (stmt, 4);
      item->attempts = sqlite3_column_int (stmt, 5);
      item->next_attempt = sqlite3_column_int64 (stmt, 6);
      item->last_error = dup_column_text (stmt, 7);
      item->delivered_at = dup_column_text (stmt, 8);
      g_ptr_array_add (items, item);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error);
      return NULL;
    }

  return g_steal_pointer (&items);
}

static gboolean
store_outbox_mark (PeStore        *store,
                   gint64          item_id,
                   PeOutboxState   state,
                   const char     *error_message,
                   gint64          next_attempt,
                   GError        **error)
{
  PeSqliteStore *self = PE_SQLITE_STORE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) doc = NULL;
  g_autofree char *now = now_iso8601 ();

  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  /* A failed attempt stays pending with a later due time; delivered and failed are final. */
  stmt = prepare (self, "UPDATE outbox SET state = ?, last_error = ?, next_attempt = ?, "
                        "attempts = attempts + 1, "
                        "delivered_at = CASE WHEN ?1 = 1 THEN ? ELSE delivered_at END "
                        "WHERE id = ?", error);
  doc = prepare (self, "UPDATE documents SET state = CASE ? WHEN 1 THEN ? WHEN 2 THEN ? "
                       "ELSE state END WHERE id = (SELECT document_id FROM outbox WHERE id = ?)",
                 error);
  if (stmt == NULL || doc == NULL)
    goto rollback;
  sqlite3_bind_int (stmt, 1, state);
  sqlite3_bind_text (stmt, 2, error_message, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, next_attempt);
  sqlite3_bind_text (stmt, 4, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, item_id);
  sqlite3_bind_int (doc, 1, state);
  sqlite3_bind_int (doc, 2, PE_DOCUMENT_DELIVERED);
  sqlite3_bind_int (doc, 3, PE_DOCUMENT_FAILED);
  sqlite3_bind_int64 (doc, 4, item_id);
  if (!update_one (self, stmt, _("Outbox item"), item_id, error) ||
      !step_done (self, doc, error) || !exec (self, "COMMIT", error))
    goto rollback;

  return TRUE;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static void
store_iface_init (PeStoreInterface *iface)
{
  iface->create_batch = store_create_batch;
  iface->add_page = store_add_page;
  iface->list_pages = store_list_pages;
  iface->set_page_ocr = store_set_page_ocr;
  iface->set_page_state = store_set_page_state;
  iface->set_page_clean = store_set_page_clean;
  iface->set_page_order = store_set_page_order;
  iface->create_document = store_create_document;
  iface->list_documents = store_list_documents;
  iface->get_document = store_get_document;
  iface->set_document_pdf = store_set_document_pdf;
  iface->set_document_state = store_set_document_state;
  iface->outbox_enqueue = store_outbox_enqueue;
  iface->outbox_list = store_outbox_list;
  iface->outbox_mark = store_outbox_mark;
  iface->list_batches = store_list_batches;
  iface->find_document_by_pdf = store_find_document_by_pdf;
}
