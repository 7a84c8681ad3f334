//! The tenant's map tiles (`domain::map`): one row, or none for the default.

use super::TenantScope;
use crate::db::{Database, StoreError};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::map::{CoordSystem, TileSettings, TileSettingsInput};

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The tiles the tenant set, or `None` when it set none (the pages then
    /// use [`TileSettings::tianditu`]).
    pub fn map_settings(&self) -> Result<Option<TileSettings>, Error> {
        let rows = self.db.execute(
            "SELECT base_url, overlay_url, subdomains, attribution, crs, api_key, max_zoom \
             FROM map_settings WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let input = TileSettingsInput {
            base_url: row.get_string("base_url")?,
            overlay_url: row.get_opt_string("overlay_url")?,
            subdomains: row.get_opt_string("subdomains")?,
            attribution: row.get_string("attribution")?,
            crs: CoordSystem::parse(row.get_str("crs")?).ok_or_else(|| StoreError::Decode {
                column: "crs".into(),
                expected: "wgs84, cgcs2000 or gcj02",
            })?,
            key: row.get_opt_string("api_key")?,
            max_zoom: u8::try_from(row.get_i64("max_zoom")?).map_err(|_| StoreError::Decode {
                column: "max_zoom".into(),
                expected: "a zoom level",
            })?,
        };
        Ok(Some(TileSettings::parse(input)?))
    }

    /// Replaces the tenant's tiles.
    pub fn set_map_settings(&self, tiles: &TileSettings, now: DateTime<Utc>) -> Result<(), Error> {
        self.db.execute(
            "INSERT INTO map_settings (tenant_id, base_url, overlay_url, subdomains, attribution, \
             crs, api_key, max_zoom, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET base_url = excluded.base_url, \
             overlay_url = excluded.overlay_url, subdomains = excluded.subdomains, \
             attribution = excluded.attribution, crs = excluded.crs, api_key = excluded.api_key, \
             max_zoom = excluded.max_zoom, updated_at = excluded.updated_at",
            &[
                self.tenant.0.into(),
                tiles.base_url().into(),
                tiles.overlay_url().into(),
                tiles.subdomains().into(),
                tiles.attribution().into(),
                tiles.crs().as_str().into(),
                tiles.key().into(),
                i64::from(tiles.max_zoom()).into(),
                to_text(now).into(),
            ],
        )?;
        Ok(())
    }
}
