/* pe-fs.h: durable file writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Writes @data to @path so that @path is either absent/old or complete: a temporary file in the
 * same directory, fsync, rename, fsync of the directory. A full disk gives PE_ERROR_NO_SPACE. */
gboolean  pe_fs_write_atomic   (const char    *path,
                                const void    *data,
                                gsize          length,
                                GError       **error);
/* Copies @src to @dest the same way. */
gboolean  pe_fs_copy_atomic    (const char    *src,
                                const char    *dest,
                                GError       **error);
gboolean  pe_fs_fsync_dir      (const char    *dir,
                                GError       **error);
/* Sets @error from errno @err for an operation on @path, mapping ENOSPC/EDQUOT to
 * PE_ERROR_NO_SPACE with a message saying what to do. Always returns FALSE. */
gboolean  pe_fs_set_error      (GError       **error,
                                int            err,
                                const char    *path);
/* Lower-case hex SHA-256 of a file's content, or NULL with @error. */
char     *pe_fs_sha256_file    (const char    *path,
                                GError       **error);
char     *pe_fs_sha256_data    (const void    *data,
                                gsize          length);

G_END_DECLS
