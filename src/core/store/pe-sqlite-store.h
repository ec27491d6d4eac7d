/* pe-sqlite-store.h: the batch store on SQLite (WAL)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-store.h"

G_BEGIN_DECLS

#define PE_TYPE_SQLITE_STORE (pe_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (PeSqliteStore, pe_sqlite_store, PE, SQLITE_STORE, GObject)

/* Opens or creates the store in @dir (store.sqlite, pages/, documents/), migrating an older
 * schema to the current one. */
PeSqliteStore *pe_sqlite_store_new             (const char  *dir,
                                                GError     **error);
const char    *pe_sqlite_store_get_dir         (PeSqliteStore *self);
guint          pe_sqlite_store_get_schema_version (PeSqliteStore *self);

/* The schema version this build writes. */
#define PE_SQLITE_STORE_SCHEMA_VERSION 6

/* For tests of migrations: creates a store that stops at @version. */
PeSqliteStore *_pe_sqlite_store_new_at_version (const char  *dir,
                                                guint        version,
                                                GError     **error);

G_END_DECLS
