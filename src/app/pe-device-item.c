/* pe-device-item.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pe-device-item.h"

struct _PeDeviceItem
{
  GObject  parent_instance;

  char    *name;
  char    *label;
  char    *description;
};

enum {
  PROP_0,
  PROP_NAME,
  PROP_LABEL,
  PROP_DESCRIPTION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PeDeviceItem, pe_device_item, G_TYPE_OBJECT)

static GParamSpec *properties [N_PROPS];

static void
pe_device_item_finalize (GObject *object)
{
  PeDeviceItem *self = (PeDeviceItem *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->label, g_free);
  g_clear_pointer (&self->description, g_free);

  G_OBJECT_CLASS (pe_device_item_parent_class)->finalize (object);
}

static void
pe_device_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PeDeviceItem *self = PE_DEVICE_ITEM (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;

    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_device_item_class_init (PeDeviceItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_device_item_finalize;
  object_class->get_property = pe_device_item_get_property;

  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pe_device_item_init (PeDeviceItem *self)
{
}

static gboolean
is_blank (const char *s)
{
  return s == NULL || *s == '\0';
}

PeDeviceItem *
pe_device_item_new (const PeDeviceInfo *info)
{
  PeDeviceItem *self;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (info->name != NULL, NULL);

  self = g_object_new (PE_TYPE_DEVICE_ITEM, NULL);
  self->name = g_strdup (info->name);

  /* The drop-down button has little room: show vendor and model there, and the SANE name
   * (which tells network and local devices apart) only in the list below it. */
  if (!is_blank (info->vendor) && !is_blank (info->model))
    self->label = g_strdup_printf ("%s %s", info->vendor, info->model);
  else if (!is_blank (info->model))
    self->label = g_strdup (info->model);
  else
    self->label = g_strdup (info->name);

  if (!is_blank (info->type))
    /* Translators: scanner type and SANE device name, e.g. "flatbed scanner · test:0" */
    self->description = g_strdup_printf (_("%s · %s"), info->type, info->name);
  else
    self->description = g_strdup (info->name);

  return self;
}

const char *
pe_device_item_get_name (PeDeviceItem *self)
{
  g_return_val_if_fail (PE_IS_DEVICE_ITEM (self), NULL);

  return self->name;
}

const char *
pe_device_item_get_label (PeDeviceItem *self)
{
  g_return_val_if_fail (PE_IS_DEVICE_ITEM (self), NULL);

  return self->label;
}

const char *
pe_device_item_get_description (PeDeviceItem *self)
{
  g_return_val_if_fail (PE_IS_DEVICE_ITEM (self), NULL);

  return self->description;
}
