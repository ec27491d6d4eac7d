/* pe-sane-device.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <sane/sane.h>
#include <string.h>

#include "pe-error.h"
#include "pe-sane-device.h"
#include "pe-sane-worker.h"

void
pe_device_info_free (PeDeviceInfo *info)
{
  if (info == NULL)
    return;

  g_free (info->name);
  g_free (info->vendor);
  g_free (info->model);
  g_free (info->type);
  g_free (info);
}

/* Backends without a real vendor (test, pnm, some network bridges) say "Noname"; repeating
 * it, or a vendor that the model already starts with ("HP" "HP ScanJet"), only adds noise. */
char *
pe_device_info_dup_label (const PeDeviceInfo *info)
{
  const char *vendor;
  const char *model;

  g_return_val_if_fail (info != NULL, NULL);

  vendor = info->vendor != NULL ? info->vendor : "";
  model = info->model != NULL ? info->model : "";

  if (g_ascii_strcasecmp (vendor, "Noname") == 0 || g_ascii_strcasecmp (vendor, "Unknown") == 0)
    vendor = "";
  if (*vendor != '\0' && g_ascii_strncasecmp (model, vendor, strlen (vendor)) == 0)
    vendor = "";

  if (*vendor != '\0' && *model != '\0')
    return g_strdup_printf ("%s %s (%s)", vendor, model, info->name);
  if (*vendor != '\0' || *model != '\0')
    return g_strdup_printf ("%s (%s)", *vendor != '\0' ? vendor : model, info->name);
  return g_strdup (info->name);
}

typedef struct
{
  gboolean    local_only;
  GPtrArray  *devices;
  GError     *error;
} ListJob;

/* Runs on the SANE thread: the list sane_get_devices() returns is only valid until the next
 * SANE call, so it is copied here. */
static void
list_devices_run (gpointer data)
{
  ListJob *job = data;
  const SANE_Device **list = NULL;
  SANE_Status status;

  /* A refresh must see saned hosts that restarted or went away since the last listing. */
  _pe_sane_worker_reset_network ();

  if (!_pe_sane_worker_check_init (&job->error))
    return;

  status = sane_get_devices (&list, job->local_only);
  if (status != SANE_STATUS_GOOD)
    {
      _pe_sane_set_error (&job->error, status, NULL);
      return;
    }

  job->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) pe_device_info_free);
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    {
      PeDeviceInfo *info = g_new0 (PeDeviceInfo, 1);

      info->name = g_strdup (list[i]->name);
      info->vendor = g_strdup (list[i]->vendor);
      info->model = g_strdup (list[i]->model);
      info->type = g_strdup (list[i]->type);
      g_ptr_array_add (job->devices, info);
      if (g_str_has_prefix (info->name, "net:"))
        _pe_sane_worker_note_network ();
    }
}

GPtrArray *
pe_sane_list_devices (gboolean       local_only,
                      GCancellable  *cancellable,
                      GError       **error)
{
  ListJob job = { local_only, NULL, NULL };

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  _pe_sane_worker_run_sync (list_devices_run, &job);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return NULL;
    }

  /* Discovery cannot be interrupted, but a caller who gave up should not get a result. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_ptr_array_unref (job.devices);
      return NULL;
    }

  return job.devices;
}

static void
list_devices_task (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ListJob job = { GPOINTER_TO_INT (task_data), NULL, NULL };

  if (g_task_return_error_if_cancelled (task))
    return;

  list_devices_run (&job);

  if (job.error != NULL)
    g_task_return_error (task, job.error);
  else
    g_task_return_pointer (task, job.devices, (GDestroyNotify) g_ptr_array_unref);
}

void
pe_sane_list_devices_async (gboolean             local_only,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pe_sane_list_devices_async);
  g_task_set_task_data (task, GINT_TO_POINTER (!!local_only), NULL);
  g_task_set_check_cancellable (task, TRUE);
  _pe_sane_worker_run_task (task, list_devices_task);
}

GPtrArray *
pe_sane_list_devices_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pe_sane_list_devices_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
