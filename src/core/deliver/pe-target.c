/* pe-target.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pe-error.h"
#include "pe-folder-target.h"
#include "pe-target.h"

G_DEFINE_INTERFACE (PeTarget, pe_target, G_TYPE_OBJECT)

static void
pe_target_default_init (PeTargetInterface *iface)
{
}

gboolean
pe_target_deliver (PeTarget          *self,
                   const PeDelivery  *delivery,
                   GCancellable      *cancellable,
                   GError           **error)
{
  g_return_val_if_fail (PE_IS_TARGET (self), FALSE);
  g_return_val_if_fail (delivery != NULL && delivery->document_id != NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return PE_TARGET_GET_IFACE (self)->deliver (self, delivery, cancellable, error);
}

PeTarget *
pe_target_new_for_uri (const char  *uri,
                       GError     **error)
{
  g_return_val_if_fail (uri != NULL, NULL);

  if (g_str_has_prefix (uri, "folder:"))
    return PE_TARGET (pe_folder_target_new (uri + strlen ("folder:")));

  g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
               _("The delivery target “%s” is not supported. Use a folder target "
                 "(folder:/path)."), uri);
  return NULL;
}
