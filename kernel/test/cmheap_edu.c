// SPDX-License-Identifier: GPL-2.0
/*
 * A driver for QEMU's "edu" PCI device (docs/specs/edu.rst in QEMU): a DMA
 * engine that copies between memory at a DMA address and a 4 KiB buffer
 * of its own.  It makes the importer's mappings testable end to end: a
 * device really reads and writes the addresses a mapping hands out, through
 * whatever the platform puts in between (an IOMMU, swiotlb bounce buffers),
 * so a wrong address, a misused nents or a bounce buffer never copied back
 * shows up as wrong data.
 *
 * The engine's buffer is not visible through its registers, so data moves
 * between the CPU and the engine through a coherent staging buffer: a read
 * of buffer memory is memory -> engine -> staging, a write is staging ->
 * engine -> memory.  Each transfer takes the device 100 ms of guest time.
 */
#include <linux/completion.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "cmheap_test.h"

#define EDU_VENDOR_ID		0x1234
#define EDU_DEVICE_ID		0x11e8

/* Registers, in BAR 0 */
#define EDU_REG_ID		0x00	/* 0xRRrr00ed: version RR.rr */
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_COUNT	0x90
#define EDU_REG_DMA_CMD		0x98

#define EDU_ID_MAGIC		0xed
#define EDU_IRQ_DMA		0x100
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2	/* else from RAM to the engine */
#define EDU_DMA_IRQ		0x4

/*
 * The engine's own buffer, in the device's DMA address space.  QEMU up to
 * 7.2 (Debian 12's) stops the whole machine on a transfer that ends at the
 * buffer's last byte (its range check is off by one), so a transfer never
 * reaches it: CMHEAP_DMA_MAX_BYTES is below the buffer's size.
 */
#define EDU_BUF_ADDR		0x40000
#define EDU_BUF_SIZE		4096
#define EDU_XFER_MAX		(EDU_BUF_SIZE - 1)

/*
 * A transfer takes 100 ms of the guest's clock; this bounds the wait for
 * one that never ends (an engine that stopped interrupting).
 */
#define EDU_TIMEOUT_MS		5000

/*
 * The device cannot say how many address bits it drives: QEMU's dma_mask
 * property sets it (28 bits unless told otherwise), so the driver is told
 * the same.  A mask wider than the device's has it silently clamp
 * addresses: wrong data, which the data-path tests would report.
 */
static unsigned int edu_dma_bits = 28;
module_param(edu_dma_bits, uint, 0444);
MODULE_PARM_DESC(edu_dma_bits,
		 "DMA address bits of QEMU's edu devices, as their dma_mask property says (default 28)");

struct cmheap_edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	int irq;
	struct completion done;
	void *staging;			/* EDU_BUF_SIZE, coherent */
	dma_addr_t staging_dma;
	bool broken;			/* an engine that timed out stays unused */
	int index;			/* in the importer's devices */
};

static irqreturn_t cmheap_edu_irq(int irq, void *data)
{
	struct cmheap_edu *edu = data;
	u32 status = readl(edu->regs + EDU_REG_IRQ_STATUS);

	/* INTx may be shared. */
	if (!(status & EDU_IRQ_DMA))
		return IRQ_NONE;
	writel(EDU_IRQ_DMA, edu->regs + EDU_REG_IRQ_ACK);
	complete(&edu->done);
	return IRQ_HANDLED;
}

/*
 * One copy by the engine.  The wait cannot be interrupted: until the
 * device is done, the memory it writes or reads must stay as it is, and
 * the caller would release it.  It is bounded instead.
 */
static int cmheap_edu_copy(struct cmheap_edu *edu, dma_addr_t src,
			   dma_addr_t dst, u32 len, bool to_ram)
{
	u64 cmd = EDU_DMA_RUN | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0);

	if (edu->broken)
		return -EIO;
	reinit_completion(&edu->done);
	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(len, edu->regs + EDU_REG_DMA_COUNT);
	/* writeq() orders the staging buffer's stores before the start. */
	writeq(cmd, edu->regs + EDU_REG_DMA_CMD);
	if (!wait_for_completion_timeout(&edu->done,
					 msecs_to_jiffies(EDU_TIMEOUT_MS))) {
		/*
		 * The caller frees or reuses the memory once we return: an
		 * engine still running must not reach it.  The edu has no
		 * way to stop a transfer; with bus mastering off the device
		 * cannot reach memory at all, and it stays off.
		 */
		pci_clear_master(edu->pdev);
		edu->broken = true;
		dev_err(&edu->pdev->dev,
			"DMA engine did not finish in %d ms: bus mastering off, no longer used\n",
			EDU_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	return 0;
}

static int cmheap_edu_transfer(void *priv, const struct cmheap_dma_xfer *xfers,
			       unsigned int count, bool to_memory, void *data)
{
	struct cmheap_edu *edu = priv;
	u32 off, total = 0;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(CMHEAP_DMA_MAX_BYTES > EDU_XFER_MAX);
	for (i = 0; i < count; i++)
		total += xfers[i].len;
	if (!total || total > EDU_XFER_MAX)
		return -EINVAL;

	if (to_memory) {
		memcpy(edu->staging, data, total);
		ret = cmheap_edu_copy(edu, edu->staging_dma, EDU_BUF_ADDR,
				      total, false);
		for (i = 0, off = 0; !ret && i < count; off += xfers[i++].len)
			ret = cmheap_edu_copy(edu, EDU_BUF_ADDR + off,
					      xfers[i].addr, xfers[i].len,
					      true);
		return ret;
	}

	for (i = 0, off = 0; i < count; off += xfers[i++].len) {
		ret = cmheap_edu_copy(edu, xfers[i].addr, EDU_BUF_ADDR + off,
				      xfers[i].len, false);
		if (ret)
			return ret;
	}
	ret = cmheap_edu_copy(edu, EDU_BUF_ADDR, edu->staging_dma, total,
			      true);
	if (!ret)
		memcpy(data, edu->staging, total);
	return ret;
}

static const struct cmheap_engine_ops cmheap_edu_engine = {
	.transfer = cmheap_edu_transfer,
};

static int cmheap_edu_probe(struct pci_dev *pdev,
			    const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct cmheap_edu *edu;
	u32 ident;
	int ret;

	if (!edu_dma_bits || edu_dma_bits > 64)
		return -EINVAL;
	edu = devm_kzalloc(dev, sizeof(*edu), GFP_KERNEL);
	if (!edu)
		return -ENOMEM;
	edu->pdev = pdev;
	init_completion(&edu->done);

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto err_disable;
	edu->regs = pci_iomap(pdev, 0, 0);
	if (!edu->regs) {
		ret = -ENOMEM;
		goto err_release;
	}
	ident = readl(edu->regs + EDU_REG_ID);
	if ((ident & 0xffff) != EDU_ID_MAGIC) {
		dev_err(dev, "not an edu device (id %#x)\n", ident);
		ret = -ENODEV;
		goto err_unmap;
	}

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(edu_dma_bits));
	if (ret)
		goto err_unmap;
	/*
	 * It copies any contiguous range it is given, so it has no segment
	 * limit of its own, and an IOMMU may merge a whole table into one.
	 */
	dma_set_max_seg_size(dev, UINT_MAX);
	edu->staging = dma_alloc_coherent(dev, EDU_BUF_SIZE, &edu->staging_dma,
					  GFP_KERNEL);
	if (!edu->staging) {
		ret = -ENOMEM;
		goto err_unmap;
	}

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_ALL_TYPES);
	if (ret < 0)
		goto err_free_staging;
	edu->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(edu->irq, cmheap_edu_irq, IRQF_SHARED,
			  KBUILD_MODNAME, edu);
	if (ret)
		goto err_free_vectors;
	pci_set_master(pdev);

	edu->index = cmheap_device_add(dev, "edu", &cmheap_edu_engine, edu,
				       CMHEAP_FIRST_BUS_DEVICE);
	if (edu->index < 0) {
		ret = edu->index;
		goto err_free_irq;
	}
	pci_set_drvdata(pdev, edu);
	dev_info(dev, "edu %u.%u DMA engine: importer device %d, %u-bit DMA%s%s%s\n",
		 ident >> 24, (ident >> 16) & 0xff, edu->index, edu_dma_bits,
		 cmheap_dev_translated(dev) ? ", behind an IOMMU" : "",
		 cmheap_dev_may_bounce(dev) ? ", may bounce (swiotlb)" : "",
		 dev_is_dma_coherent(dev) ? ", coherent" : ", non-coherent");
	return 0;

err_free_irq:
	pci_clear_master(pdev);
	free_irq(edu->irq, edu);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_free_staging:
	dma_free_coherent(dev, EDU_BUF_SIZE, edu->staging, edu->staging_dma);
err_unmap:
	pci_iounmap(pdev, edu->regs);
err_release:
	pci_release_region(pdev, 0);
err_disable:
	pci_disable_device(pdev);
	return ret;
}

static void cmheap_edu_remove(struct pci_dev *pdev)
{
	struct cmheap_edu *edu = pci_get_drvdata(pdev);

	/* Waits for a transfer in flight; the engine is idle after it. */
	cmheap_device_remove(edu->index);
	pci_clear_master(pdev);
	free_irq(edu->irq, edu);
	pci_free_irq_vectors(pdev);
	dma_free_coherent(&pdev->dev, EDU_BUF_SIZE, edu->staging,
			  edu->staging_dma);
	pci_iounmap(pdev, edu->regs);
	pci_release_region(pdev, 0);
	pci_disable_device(pdev);
}

static const struct pci_device_id cmheap_edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR_ID, EDU_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, cmheap_edu_ids);

static struct pci_driver cmheap_edu_driver = {
	.name		= "cmheap-edu",
	.id_table	= cmheap_edu_ids,
	.probe		= cmheap_edu_probe,
	.remove		= cmheap_edu_remove,
};

int cmheap_edu_init(void)
{
	return pci_register_driver(&cmheap_edu_driver);
}

void cmheap_edu_exit(void)
{
	pci_unregister_driver(&cmheap_edu_driver);
}
