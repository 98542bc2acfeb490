import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-xl py-16 text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-1 text-muted">There is no such cluster, node or workload here. It may have been removed or renamed.</p>
      <Link href="/" className="mt-4 inline-block text-accent hover:underline">
        Back to the fleet
      </Link>
    </div>
  );
}
