import type { ConsumptionItem, Cost } from "@/lib/model/consumption";
import type { Resource } from "./consumption-bars";

/** One resource's figures of an item, under one set of names. */
export function figuresOf(item: ConsumptionItem, resource: Resource) {
  if (resource === "cpu") {
    const c = item.cpu;
    return {
      capacity: c.capacityMillis,
      reserved: c.reservedMillis,
      limit: c.limitMillis,
      usedAvg: c.usedAvgMillis,
      usedP95: c.usedP95Millis,
      usedMax: c.usedMaxMillis,
      idleReserved: c.idleReservedMillis,
      unreserved: c.unreservedMillis,
      efficiency: c.efficiency,
      note: c.note,
      frees: item.recommendation?.frees.cpuMillis,
      recommended: item.recommendation?.cpuMillis,
    };
  }
  const m = item.memory;
  return {
    capacity: m.capacityBytes,
    reserved: m.reservedBytes,
    limit: m.limitBytes,
    usedAvg: m.usedAvgBytes,
    usedP95: m.usedP95Bytes,
    usedMax: m.usedMaxBytes,
    idleReserved: m.idleReservedBytes,
    unreserved: m.unreservedBytes,
    efficiency: m.efficiency,
    note: m.note,
    frees: item.recommendation?.frees.memoryBytes,
    recommended: item.recommendation?.memoryBytes,
  };
}
export type Figures = ReturnType<typeof figuresOf>;

/** Money in the price sheet's currency, to the cent ("$12.40"); a positive amount below a cent says so rather than "$0.00". */
export function formatCost(amount: number, currency: string): string {
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return amount > 0 && amount < 0.005 ? `< ${money.format(0.01)}` : money.format(amount);
}

export const costTitle = (c: Cost, range: string) =>
  `Over ${range} at the cluster's price sheet, CPU and memory added: ${formatCost(c.used, c.currency)} used, ${formatCost(c.reserved, c.currency)} reserved, ${formatCost(c.idle, c.currency)} idle reserved`;
