/** Fleetdeck's mark and name, in the top bar and on the sign-in pages. */
export function Brand({ size = "size-5" }: { size?: string }) {
  return (
    <>
      <svg aria-hidden viewBox="0 0 20 20" className={`${size} text-accent`} fill="currentColor">
        <rect x="2" y="3" width="7" height="6" rx="1.5" />
        <rect x="11" y="3" width="7" height="6" rx="1.5" opacity="0.6" />
        <rect x="2" y="11" width="7" height="6" rx="1.5" opacity="0.6" />
        <rect x="11" y="11" width="7" height="6" rx="1.5" />
      </svg>
      Fleetdeck
    </>
  );
}
