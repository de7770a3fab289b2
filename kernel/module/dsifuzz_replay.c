// SPDX-License-Identifier: GPL-2.0
/*
 * dsifuzz_replay: one dsifuzz scenario, run on the real driver core and the
 * real MIPI-DSI bus core of the kernel it is built for.
 *
 * Written for dsifuzz (it is not taken from kernel code). The devices and
 * events come from dsifuzz_scenario.h, which `dsifuzz kernel-replay`
 * generates from a scenario file; docs/kernel-replay.md says how each
 * scenario statement maps onto this module.
 *
 * Loading the module is the scenario's setup: the three drivers are
 * registered and the controllers and bridges are created (the init script
 * has switched the platform and i2c buses' drivers_autoprobe off, so nothing
 * binds). Writing to /sys/kernel/debug/dsifuzz_replay/run then runs the
 * events and the end-of-run teardown in order, each announced on the console
 * as "dsifuzz: event N: TEXT", and finally prints "dsifuzz: events done".
 *
 * The drivers do what the dsifuzz model's drivers do (model/drivers/):
 *   - "dsi-controller", a platform driver: its driver data is devm_kzalloc'd
 *     with the mipi_dsi_host inside; probe registers the host, remove
 *     unregisters it. Its attach op is where `fail attach N` strikes.
 *   - "i2c-bridge", an i2c driver, in the device's style (devm-probe, manual,
 *     no-unregister); it defers while its host is not registered.
 *   - "dsi-panel", a mipi_dsi_driver bound by name. There is no device tree
 *     on x86, so a controller registers its panels' DSI devices itself right
 *     after mipi_dsi_host_register(), as that function does for DT children.
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/i2c.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <drm/drm_mipi_dsi.h>

enum dfz_kind { DFZ_CONTROLLER, DFZ_BRIDGE, DFZ_PANEL };
enum dfz_style {
	DFZ_NONE,
	DFZ_DEVM_PROBE,
	DFZ_MANUAL,
	DFZ_NO_UNREGISTER,
	DFZ_ATTACH,
	DFZ_DEVM_ATTACH,
};
enum dfz_op {
	DFZ_BIND,
	DFZ_UNBIND,
	DFZ_REMOVE,
	DFZ_ADD,
	DFZ_TRANSFER,
	DFZ_RMMOD,
	DFZ_INSMOD,
	DFZ_FAIL_ATTACH,
	DFZ_DEFERRED_PROBE,
};
enum dfz_driver { DFZ_DRV_CONTROLLER, DFZ_DRV_BRIDGE, DFZ_DRV_PANEL };

struct dfz_dev {
	const char *name;
	enum dfz_kind kind;
	int host; /* index of the controller, for a peripheral */
	enum dfz_style style;
	u32 channel;
};

struct dfz_event {
	enum dfz_op op;
	int arg; /* device index, driver, or fault count */
	const char *text;
};

#define DFZ_PANEL_NAME "dsifuzz-panel"

#include "dsifuzz_scenario.h"

#define DFZ_NDEVS ARRAY_SIZE(dfz_devs)

/* The controller's driver data, with the DSI host embedded. */
struct dfz_controller {
	struct mipi_dsi_host host;
	int index;
	int bridges; /* attached peripherals (drm_bridge_add in a real driver) */
	int transfers;
	unsigned long mode_flags;
};

struct dfz_peripheral {
	struct mipi_dsi_device *dsi;
};

static struct platform_device *dfz_pdev[DFZ_NDEVS];
static struct i2c_client *dfz_client[DFZ_NDEVS];
/*
 * The registered hosts, by controller: a peripheral's stand-in for
 * of_find_mipi_dsi_host_by_node(), which has no nodes to go by on x86. Set
 * once the host is registered, cleared once it is unregistered. The events
 * run one at a time, from the task that writes the run file.
 */
static struct mipi_dsi_host *dfz_host[DFZ_NDEVS];
static int dfz_attach_countdown; /* `fail attach N`: the Nth attach fails */

/* Host ops. */

static int dfz_host_attach(struct mipi_dsi_host *host,
			   struct mipi_dsi_device *dsi)
{
	struct dfz_controller *ctl =
		container_of(host, struct dfz_controller, host);

	ctl->mode_flags = dsi->mode_flags;
	if (dfz_attach_countdown > 0 && --dfz_attach_countdown == 0) {
		pr_info("dsifuzz: fault: attach\n");
		return -EINVAL;
	}
	ctl->bridges++;
	return 0;
}

static int dfz_host_detach(struct mipi_dsi_host *host,
			   struct mipi_dsi_device *dsi)
{
	struct dfz_controller *ctl =
		container_of(host, struct dfz_controller, host);

	ctl->bridges--;
	return 0;
}

static ssize_t dfz_host_transfer(struct mipi_dsi_host *host,
				 const struct mipi_dsi_msg *msg)
{
	struct dfz_controller *ctl =
		container_of(host, struct dfz_controller, host);

	ctl->transfers++;
	return msg->tx_len;
}

static const struct mipi_dsi_host_ops dfz_host_ops = {
	.attach = dfz_host_attach,
	.detach = dfz_host_detach,
	.transfer = dfz_host_transfer,
};

/* The "dsi-controller" platform driver. */

static void dfz_add_panels(struct dfz_controller *ctl)
{
	struct mipi_dsi_device *dsi;
	size_t i;

	for (i = 0; i < DFZ_NDEVS; i++) {
		struct mipi_dsi_device_info info = { .type = DFZ_PANEL_NAME };

		if (dfz_devs[i].kind != DFZ_PANEL || dfz_devs[i].host != ctl->index)
			continue;
		info.channel = dfz_devs[i].channel;
		/* As for DT children, a failure is only logged. */
		dsi = mipi_dsi_device_register_full(&ctl->host, &info);
		if (IS_ERR(dsi))
			pr_info("dsifuzz: %s: register failed: %ld\n",
				dfz_devs[i].name, PTR_ERR(dsi));
	}
}

static int dfz_ctl_probe(struct platform_device *pdev)
{
	const struct platform_device_id *id = platform_get_device_id(pdev);
	struct dfz_controller *ctl;
	int ret;

	ctl = devm_kzalloc(&pdev->dev, sizeof(*ctl), GFP_KERNEL);
	if (!ctl)
		return -ENOMEM;
	ctl->index = id->driver_data;
	ctl->host.dev = &pdev->dev;
	ctl->host.ops = &dfz_host_ops;
	platform_set_drvdata(pdev, ctl);
	ret = mipi_dsi_host_register(&ctl->host);
	if (ret)
		return ret;
	dfz_host[ctl->index] = &ctl->host;
	dfz_add_panels(ctl);
	return 0;
}

static int dfz_ctl_remove(struct platform_device *pdev)
{
	struct dfz_controller *ctl = platform_get_drvdata(pdev);

	mipi_dsi_host_unregister(&ctl->host);
	dfz_host[ctl->index] = NULL;
	return 0;
}

static struct platform_driver dfz_ctl_driver = {
	.probe = dfz_ctl_probe,
	.remove = dfz_ctl_remove,
	.id_table = dfz_ctl_ids,
	.driver = { .name = "dsi-controller" },
};

/* The "i2c-bridge" driver. */

static int dfz_bridge_probe(struct i2c_client *client)
{
	const struct i2c_device_id *id = i2c_match_id(dfz_bridge_ids, client);
	const struct dfz_dev *t = &dfz_devs[id->driver_data];
	struct mipi_dsi_device_info info = { .channel = t->channel };
	struct dfz_peripheral *ctx;
	struct mipi_dsi_host *host;
	struct mipi_dsi_device *dsi;
	int ret;

	ctx = devm_kzalloc(&client->dev, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	i2c_set_clientdata(client, ctx);
	host = dfz_host[t->host];
	if (!host)
		return dev_err_probe(&client->dev, -EPROBE_DEFER,
				     "failed to find dsi host\n");
	strscpy(info.type, t->name, sizeof(info.type));
	switch (t->style) {
	case DFZ_DEVM_PROBE:
		dsi = devm_mipi_dsi_device_register_full(&client->dev, host,
							 &info);
		if (IS_ERR(dsi))
			return PTR_ERR(dsi);
		ret = devm_mipi_dsi_attach(&client->dev, dsi);
		if (ret)
			return ret;
		break;
	case DFZ_MANUAL:
		dsi = mipi_dsi_device_register_full(host, &info);
		if (IS_ERR(dsi))
			return PTR_ERR(dsi);
		ret = mipi_dsi_attach(dsi);
		if (ret) {
			mipi_dsi_device_unregister(dsi);
			return ret;
		}
		break;
	default: /* DFZ_NO_UNREGISTER */
		dsi = mipi_dsi_device_register_full(host, &info);
		if (IS_ERR(dsi))
			return PTR_ERR(dsi);
		ret = devm_mipi_dsi_attach(&client->dev, dsi);
		if (ret)
			return ret;
		break;
	}
	ctx->dsi = dsi;
	return 0;
}

static void dfz_bridge_remove(struct i2c_client *client)
{
	const struct i2c_device_id *id = i2c_match_id(dfz_bridge_ids, client);
	struct dfz_peripheral *ctx = i2c_get_clientdata(client);

	if (dfz_devs[id->driver_data].style != DFZ_MANUAL)
		return;
	mipi_dsi_detach(ctx->dsi);
	mipi_dsi_device_unregister(ctx->dsi);
}

static struct i2c_driver dfz_bridge_driver = {
	.probe_new = dfz_bridge_probe,
	.remove = dfz_bridge_remove,
	.id_table = dfz_bridge_ids,
	.driver = { .name = "i2c-bridge" },
};

/* The "dsi-panel" driver, bound by name to the panels' DSI devices. */

static const struct dfz_dev *dfz_panel_of(struct mipi_dsi_device *dsi)
{
	struct dfz_controller *ctl =
		container_of(dsi->host, struct dfz_controller, host);
	size_t i;

	for (i = 0; i < DFZ_NDEVS; i++) {
		if (dfz_devs[i].kind == DFZ_PANEL &&
		    dfz_devs[i].host == ctl->index &&
		    dfz_devs[i].channel == dsi->channel)
			return &dfz_devs[i];
	}
	return NULL;
}

static int dfz_panel_probe(struct mipi_dsi_device *dsi)
{
	const struct dfz_dev *t = dfz_panel_of(dsi);
	struct dfz_peripheral *ctx;
	int ret;

	ctx = devm_kzalloc(&dsi->dev, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->dsi = dsi;
	mipi_dsi_set_drvdata(dsi, ctx);
	if (t && t->style == DFZ_DEVM_ATTACH)
		ret = devm_mipi_dsi_attach(&dsi->dev, dsi);
	else
		ret = mipi_dsi_attach(dsi);
	if (ret)
		dev_err(&dsi->dev, "failed to attach to DSI host: %d\n", ret);
	return ret;
}

static void dfz_panel_remove(struct mipi_dsi_device *dsi)
{
	const struct dfz_dev *t = dfz_panel_of(dsi);
	int ret;

	if (t && t->style == DFZ_DEVM_ATTACH)
		return;
	ret = mipi_dsi_detach(dsi);
	if (ret < 0)
		dev_err(&dsi->dev, "failed to detach from DSI host: %d\n", ret);
}

static struct mipi_dsi_driver dfz_panel_driver = {
	.probe = dfz_panel_probe,
	.remove = dfz_panel_remove,
	.driver = { .name = DFZ_PANEL_NAME },
};

/* An i2c adapter for the bridges to sit on; it never transfers. */

static int dfz_i2c_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs,
			int num)
{
	return -EOPNOTSUPP;
}

static u32 dfz_i2c_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C;
}

static const struct i2c_algorithm dfz_i2c_algo = {
	.master_xfer = dfz_i2c_xfer,
	.functionality = dfz_i2c_func,
};

static struct i2c_adapter dfz_adapter = {
	.owner = THIS_MODULE,
	.algo = &dfz_i2c_algo,
	.name = "dsifuzz",
};

/* Devices and drivers, as the events name them. */

static int dfz_add(int i)
{
	if (dfz_devs[i].kind == DFZ_CONTROLLER) {
		struct platform_device *pdev;

		pdev = platform_device_register_simple(
			dfz_devs[i].name, PLATFORM_DEVID_NONE, NULL, 0);
		if (IS_ERR(pdev))
			return PTR_ERR(pdev);
		dfz_pdev[i] = pdev;
	} else {
		struct i2c_board_info info = { .addr = 0x08 + i };
		struct i2c_client *client;

		strscpy(info.type, dfz_devs[i].name, sizeof(info.type));
		client = i2c_new_client_device(&dfz_adapter, &info);
		if (IS_ERR(client))
			return PTR_ERR(client);
		dfz_client[i] = client;
	}
	return 0;
}

static int dfz_match_panel(struct device *dev, void *data)
{
	const struct dfz_dev *t = data;
	struct mipi_dsi_device *dsi;

	if (!dev->bus || strcmp(dev->bus->name, "mipi-dsi"))
		return 0;
	dsi = to_mipi_dsi_device(dev);
	return !strcmp(dsi->name, DFZ_PANEL_NAME) && dsi->channel == t->channel;
}

/*
 * The device an event on device i acts on, with a reference held: the
 * controller's or the bridge's current device, or for a panel the first
 * registered DSI device of its host on that channel.
 */
static struct device *dfz_device(int i)
{
	const struct dfz_dev *t = &dfz_devs[i];

	switch (t->kind) {
	case DFZ_CONTROLLER:
		return dfz_pdev[i] ? get_device(&dfz_pdev[i]->dev) : NULL;
	case DFZ_BRIDGE:
		return dfz_client[i] ? get_device(&dfz_client[i]->dev) : NULL;
	default:
		if (!dfz_pdev[t->host])
			return NULL;
		return device_find_child(&dfz_pdev[t->host]->dev, (void *)t,
					 dfz_match_panel);
	}
}

static int dfz_driver_register(int drv)
{
	int ret;

	switch (drv) {
	case DFZ_DRV_CONTROLLER:
		ret = platform_driver_register(&dfz_ctl_driver);
		break;
	case DFZ_DRV_BRIDGE:
		ret = i2c_add_driver(&dfz_bridge_driver);
		break;
	default:
		ret = mipi_dsi_driver_register(&dfz_panel_driver);
		break;
	}
	return ret;
}

static void dfz_driver_unregister(int drv)
{
	switch (drv) {
	case DFZ_DRV_CONTROLLER:
		platform_driver_unregister(&dfz_ctl_driver);
		break;
	case DFZ_DRV_BRIDGE:
		i2c_del_driver(&dfz_bridge_driver);
		break;
	default:
		mipi_dsi_driver_unregister(&dfz_panel_driver);
		break;
	}
}

/* The events. */

static int dfz_transfer(struct device *dev)
{
	struct dfz_peripheral *ctx = dev_get_drvdata(dev);

	return mipi_dsi_dcs_nop(ctx->dsi);
}

static int dfz_run_event(const struct dfz_event *e)
{
	struct device *dev = NULL;
	int ret = 0;

	switch (e->op) {
	case DFZ_BIND:
	case DFZ_UNBIND:
	case DFZ_TRANSFER:
		dev = dfz_device(e->arg);
		if (!dev) {
			pr_info("dsifuzz: no such device\n");
			return -ENODEV;
		}
		if (e->op == DFZ_BIND)
			ret = device_attach(dev);
		else if (e->op == DFZ_UNBIND)
			device_release_driver(dev);
		else
			ret = dfz_transfer(dev);
		put_device(dev);
		break;
	case DFZ_REMOVE:
		if (dfz_devs[e->arg].kind == DFZ_CONTROLLER) {
			platform_device_unregister(dfz_pdev[e->arg]);
			dfz_pdev[e->arg] = NULL;
		} else {
			i2c_unregister_device(dfz_client[e->arg]);
			dfz_client[e->arg] = NULL;
		}
		break;
	case DFZ_ADD:
		ret = dfz_add(e->arg);
		break;
	case DFZ_RMMOD:
		dfz_driver_unregister(e->arg);
		break;
	case DFZ_INSMOD:
		ret = dfz_driver_register(e->arg);
		break;
	case DFZ_FAIL_ATTACH:
		dfz_attach_countdown = e->arg;
		break;
	case DFZ_DEFERRED_PROBE:
		/*
		 * Runs the deferred-probe work if a bind queued it. It cannot run
		 * before: the kernel does not preempt (PREEMPT_NONE, one CPU) and
		 * the events never sleep, so the worker waits for this flush or
		 * for the end of the run.
		 */
		wait_for_device_probe();
		break;
	}
	return ret;
}

static ssize_t dfz_run_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(dfz_events); i++) {
		pr_info("dsifuzz: event %zu: %s\n", i + 1, dfz_events[i].text);
		ret = dfz_run_event(&dfz_events[i]);
		pr_info("dsifuzz: event %zu returned %d\n", i + 1, ret);
	}
	pr_info("dsifuzz: events done\n");
	return count;
}

static const struct file_operations dfz_run_fops = {
	.owner = THIS_MODULE,
	.write = dfz_run_write,
};

static struct dentry *dfz_debugfs;

/* Setup: drivers first, then the devices in topology order. */
static int __init dfz_init(void)
{
	size_t i;
	int ret, drv;

	pr_info("dsifuzz: setup of %s\n", DFZ_SCENARIO);
	ret = i2c_add_adapter(&dfz_adapter);
	if (ret)
		return ret;
	for (drv = DFZ_DRV_CONTROLLER; drv <= DFZ_DRV_PANEL; drv++) {
		ret = dfz_driver_register(drv);
		if (ret)
			return ret;
	}
	for (i = 0; i < DFZ_NDEVS; i++) {
		if (dfz_devs[i].kind == DFZ_PANEL)
			continue; /* registered by its controller's probe */
		ret = dfz_add(i);
		if (ret)
			return ret;
	}
	dfz_debugfs = debugfs_create_dir("dsifuzz_replay", NULL);
	debugfs_create_file("run", 0200, dfz_debugfs, NULL, &dfz_run_fops);
	pr_info("dsifuzz: setup done\n");
	return 0;
}
module_init(dfz_init);

MODULE_DESCRIPTION("dsifuzz scenario replay on the real DSI bus and driver core");
MODULE_LICENSE("GPL");
