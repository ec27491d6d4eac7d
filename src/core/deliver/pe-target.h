/* pe-target.h: where the outbox delivers a document
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  const char *document_id;   /* stable UUID: targets name files after it, so a retry after a
                              * crash overwrites nothing and duplicates nothing */
  const char *pdf_path;      /* the PDF/A in the batch store */
  const char *pdf_sha256;
  const char *sidecar_json;  /* metadata sidecar */
} PeDelivery;

#define PE_TYPE_TARGET (pe_target_get_type ())
G_DECLARE_INTERFACE (PeTarget, pe_target, PE, TARGET, GObject)

struct _PeTargetInterface
{
  GTypeInterface parent_iface;

  gboolean (*deliver) (PeTarget          *self,
                       const PeDelivery  *delivery,
                       GCancellable      *cancellable,
                       GError           **error);
};

/* Blocking and idempotent: delivering the same document again is a no-op success. */
gboolean  pe_target_deliver      (PeTarget          *self,
                                  const PeDelivery  *delivery,
                                  GCancellable      *cancellable,
                                  GError           **error);
/* "folder:/path" → a PeFolderTarget. Unknown schemes fail with PE_ERROR_UNSUPPORTED. */
PeTarget *pe_target_new_for_uri  (const char        *uri,
                                  GError           **error);

G_END_DECLS
