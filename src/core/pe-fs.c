/* pe-fs.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include "pe-error.h"
#include "pe-fs.h"

gboolean
pe_fs_set_error (GError     **error,
                 int          err,
                 const char  *path)
{
  if (err == ENOSPC || err == EDQUOT)
    g_set_error (error, PE_ERROR, PE_ERROR_NO_SPACE,
                 _("The disk is full while writing “%s”. Free some space, then try again; "
                   "nothing already scanned is lost."), path);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (err),
                 _("Could not write “%s”: %s"), path, g_strerror (err));
  return FALSE;
}

gboolean
pe_fs_fsync_dir (const char  *dir,
                 GError     **error)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return pe_fs_set_error (error, errno, dir);
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int err = errno;

      close (fd);
      return pe_fs_set_error (error, err, dir);
    }
  close (fd);
  return TRUE;
}

static gboolean
write_all (int          fd,
           const void  *data,
           gsize        length)
{
  const guint8 *p = data;

  while (length > 0)
    {
      gssize n = write (fd, p, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      p += n;
      length -= n;
    }
  return TRUE;
}

gboolean
pe_fs_write_atomic (const char  *path,
                    const void  *data,
                    gsize        length,
                    GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd;

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return pe_fs_set_error (error, errno, path);

  if (!write_all (fd, data, length) || fsync (fd) != 0)
    {
      int err = errno;

      close (fd);
      g_unlink (tmp);
      return pe_fs_set_error (error, err, path);
    }
  if (close (fd) != 0 || g_rename (tmp, path) != 0)
    {
      int err = errno;

      g_unlink (tmp);
      return pe_fs_set_error (error, err, path);
    }

  return pe_fs_fsync_dir (dir, error);
}

gboolean
pe_fs_copy_atomic (const char  *src,
                   const char  *dest,
                   GError     **error)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (src, FALSE, error);

  if (map == NULL)
    return FALSE;

  return pe_fs_write_atomic (dest, g_mapped_file_get_contents (map),
                             g_mapped_file_get_length (map), error);
}

char *
pe_fs_sha256_data (const void *data,
                   gsize       length)
{
  static const char hex[] = "0123456789abcdef";
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *out = g_malloc (2 * SHA256_DIGEST_SIZE + 1);

  sha256_init (&ctx);
  sha256_update (&ctx, length, data);
  sha256_digest (&ctx, sizeof digest, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      out[2 * i] = hex[digest[i] >> 4];
      out[2 * i + 1] = hex[digest[i] & 0xf];
    }
  out[2 * SHA256_DIGEST_SIZE] = '\0';
  return out;
}

char *
pe_fs_sha256_file (const char  *path,
                   GError     **error)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, error);

  if (map == NULL)
    return NULL;

  /* An empty file maps to NULL contents; hash it as empty data. */
  return pe_fs_sha256_data (g_mapped_file_get_contents (map) ? g_mapped_file_get_contents (map)
                                                             : "",
                            g_mapped_file_get_length (map));
}
