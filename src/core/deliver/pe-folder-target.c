/* pe-folder-target.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes <id>.pdf, then <id>.json, each atomically. The sidecar comes last: a consumer that
 * waits for the .json never sees a document without its metadata, and never a partial PDF.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pe-error.h"
#include "pe-folder-target.h"
#include "pe-fs.h"

struct _PeFolderTarget
{
  GObject  parent_instance;
  char    *dir;
};

static void target_iface_init (PeTargetInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PeFolderTarget, pe_folder_target, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PE_TYPE_TARGET, target_iface_init))

static gboolean
folder_deliver (PeTarget          *target,
                const PeDelivery  *d,
                GCancellable      *cancellable,
                GError           **error)
{
  PeFolderTarget *self = PE_FOLDER_TARGET (target);
  g_autofree char *pdf_name = g_strdup_printf ("%s.pdf", d->document_id);
  g_autofree char *json_name = g_strdup_printf ("%s.json", d->document_id);
  g_autofree char *pdf = g_build_filename (self->dir, pdf_name, NULL);
  g_autofree char *json = g_build_filename (self->dir, json_name, NULL);

  if (g_mkdir_with_parents (self->dir, 0755) != 0)
    return pe_fs_set_error (error, errno, self->dir);

  if (g_file_test (pdf, G_FILE_TEST_EXISTS))
    {
      g_autofree char *sha = pe_fs_sha256_file (pdf, error);

      if (sha == NULL)
        return FALSE;
      /* Same document already there (a retry after a crash): keep it. Anything else under
       * our UUID is not ours to overwrite. */
      if (g_strcmp0 (sha, d->pdf_sha256) != 0)
        {
          g_set_error (error, PE_ERROR, PE_ERROR_DELIVERY,
                       _("“%s” already exists with different content. Move it away, then "
                         "retry the delivery."), pdf);
          return FALSE;
        }
    }
  else if (!pe_fs_copy_atomic (d->pdf_path, pdf, error))
    return FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return pe_fs_write_atomic (json, d->sidecar_json, strlen (d->sidecar_json), error);
}

static void
target_iface_init (PeTargetInterface *iface)
{
  iface->deliver = folder_deliver;
}

static void
pe_folder_target_finalize (GObject *object)
{
  PeFolderTarget *self = (PeFolderTarget *) object;

  g_free (self->dir);

  G_OBJECT_CLASS (pe_folder_target_parent_class)->finalize (object);
}

static void
pe_folder_target_class_init (PeFolderTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pe_folder_target_finalize;
}

static void
pe_folder_target_init (PeFolderTarget *self)
{
}

PeFolderTarget *
pe_folder_target_new (const char *dir)
{
  PeFolderTarget *self;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (PE_TYPE_FOLDER_TARGET, NULL);
  self->dir = g_canonicalize_filename (dir, NULL);
  return self;
}

const char *
pe_folder_target_get_dir (PeFolderTarget *self)
{
  g_return_val_if_fail (PE_IS_FOLDER_TARGET (self), NULL);
  return self->dir;
}
