/**
 * The top of the customer-facing consent page: the MSP's logo and name, and what it asks for. Also
 * rendered by Settings → Branding's preview, so it takes plain values and uses no hooks.
 */
export function ConsentHeader({ mspName, logoUrl, customerName }: { mspName: string; logoUrl: string | null; customerName: string }) {
  const msp = mspName || "your service provider";
  return (
    <header className="flex items-center gap-4 border-b border-slate-200 pb-4">
      {logoUrl ? (
        // The logo is the console's own (/branding/logo); next/image would add nothing for one small image.
        // eslint-disable-next-line @next/next/no-img-element
        <img src={logoUrl} alt={mspName ? `${mspName} logo` : "Logo"} className="h-12 max-w-[10rem] object-contain" />
      ) : mspName ? (
        <div aria-hidden="true" className="flex h-12 w-12 items-center justify-center rounded-lg bg-blue-700 text-lg font-semibold text-white">
          {mspName.slice(0, 1).toUpperCase()}
        </div>
      ) : null}
      <div>
        {mspName && <p className="text-sm font-medium text-slate-600">{mspName}</p>}
        <h1 className="text-xl font-semibold text-slate-900">
          Grant {msp} access to {customerName}
        </h1>
      </div>
    </header>
  );
}
