/* pe-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pe-error.h"
#include "pe-outbox.h"
#include "pe-sidecar.h"
#include "pe-target.h"

guint
pe_outbox_backoff (guint attempts)
{
  /* 30 s, 1 min, 2 min … capped at one hour. */
  return MIN (30u << MIN (attempts, 7u), 3600u);
}

static gboolean
deliver_item (PeStore       *store,
              PeOutboxItem  *item,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(PeDocumentRecord) doc = NULL;
  g_autoptr(PeTarget) target = NULL;
  g_autofree char *sidecar = NULL;
  PeDelivery delivery = { 0 };

  doc = pe_store_get_document (store, item->document_uuid, error);
  if (doc == NULL)
    return FALSE;
  target = pe_target_new_for_uri (item->target, error);
  if (target == NULL)
    return FALSE;
  sidecar = pe_sidecar_build (store, doc, error);
  if (sidecar == NULL)
    return FALSE;

  delivery.document_id = doc->uuid;
  delivery.pdf_path = doc->pdf_path;
  delivery.pdf_sha256 = doc->pdf_sha256;
  delivery.sidecar_json = sidecar;

  return pe_target_deliver (target, &delivery, cancellable, error);
}

gboolean
pe_outbox_deliver_due (PeStore                *store,
                       PeOutboxDeliveredFunc   func,
                       gpointer                user_data,
                       PeOutboxRun            *run,
                       GError                **first_error,
                       GCancellable           *cancellable,
                       GError                **error)
{
  g_autoptr(GPtrArray) items = NULL;
  PeOutboxRun r = { 0 };

  g_return_val_if_fail (PE_IS_STORE (store), FALSE);

  items = pe_store_outbox_list (store, TRUE, error);
  if (items == NULL)
    return FALSE;

  for (guint i = 0; i < items->len; i++)
    {
      PeOutboxItem *item = g_ptr_array_index (items, i);
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (deliver_item (store, item, cancellable, &local_error))
        {
          if (!pe_store_outbox_mark (store, item->id, PE_OUTBOX_DELIVERED, NULL, 0, error))
            return FALSE;
          r.delivered++;
          if (func != NULL)
            func (item->document_uuid, item->target, user_data);
        }
      else
        {
          gboolean give_up = item->attempts + 1 >= PE_OUTBOX_MAX_ATTEMPTS;
          gint64 next = g_get_real_time () / G_USEC_PER_SEC + pe_outbox_backoff (item->attempts);

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("delivery of %s to %s failed: %s", item->document_uuid, item->target,
                   local_error->message);
          if (!pe_store_outbox_mark (store, item->id,
                                     give_up ? PE_OUTBOX_FAILED : PE_OUTBOX_PENDING,
                                     local_error->message, next, error))
            return FALSE;
          r.failed++;
          if (first_error != NULL && *first_error == NULL)
            *first_error = g_steal_pointer (&local_error);
        }
    }

  {
    g_autoptr(GPtrArray) all = pe_store_outbox_list (store, FALSE, error);

    if (all == NULL)
      return FALSE;
    for (guint i = 0; i < all->len; i++)
      if (((PeOutboxItem *) g_ptr_array_index (all, i))->state == PE_OUTBOX_PENDING)
        r.remaining++;
  }

  if (run != NULL)
    *run = r;
  return TRUE;
}
