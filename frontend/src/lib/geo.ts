// Where the phone is when a photo is taken: one position fix, never waited on for long, never required.
// The browser asks the user once; a refusal, no fix or no API means the photo simply carries no location.

export interface Place {
  lat: number
  lon: number
  /** metres (the fix's 95 % radius as the browser reports it) */
  accuracy: number | null
}

type Geo = Pick<Geolocation, 'getCurrentPosition'>

/** A fix (a cached one up to two minutes old is fine) within `timeoutMs`, else null. */
export function currentPlace(timeoutMs = 3000, geo: Geo | undefined = globalThis.navigator?.geolocation): Promise<Place | null> {
  if (!geo) return Promise.resolve(null)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs + 500)
    try {
      geo.getCurrentPosition(
        (pos) => {
          clearTimeout(timer)
          const { latitude, longitude, accuracy } = pos.coords
          const ok = Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180
          resolve(ok ? { lat: latitude, lon: longitude, accuracy: Number.isFinite(accuracy) ? Math.max(0, accuracy) : null } : null)
        },
        () => {
          clearTimeout(timer)
          resolve(null)
        },
        { enableHighAccuracy: false, timeout: timeoutMs, maximumAge: 120_000 },
      )
    } catch {
      clearTimeout(timer)
      resolve(null)
    }
  })
}
