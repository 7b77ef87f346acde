import type { ProviderSettingsView } from "@/lib/provider/settings";
import { expiryPhrase } from "@/lib/provider/row";
import { CertificateOverlap } from "./certificate-overlap";

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

/** Certificate overlap on a registration that signs in with a certificate: the one in use, the standby one, upload and switch. */
export function CertificatePanel({ settings, canEdit }: { settings: ProviderSettingsView; canEdit: boolean }) {
  if (!settings.hasCertificate && !settings.standbyCertificate) return null;
  const standby = settings.standbyCertificate;
  return (
    <CertificateOverlap
      id={settings.id}
      version={settings.version}
      canEdit={canEdit}
      current={{ thumbprint: settings.certificateThumbprint, expires: expiryPhrase(settings.certificateExpiresAt, settings.expiryCheck, day) }}
      standby={
        standby
          ? {
              thumbprint: standby.thumbprint,
              expires: standby.expiresAt ? `expires ${day(standby.expiresAt)}` : "expiry unknown",
              retired: standby.retiredAt ? day(standby.retiredAt) : null,
            }
          : null
      }
    />
  );
}
