//! The tenant's map tiles: none set, set, replaced, and another tenant's
//! untouched.

use super::fixtures::{fixed_now, fresh_db, tenant};
use crate::*;
use domain::map::{CoordSystem, TileSettings, TileSettingsInput};

fn amap(key: Option<&str>) -> TileSettings {
    TileSettings::parse(TileSettingsInput {
        base_url: "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}".into(),
        overlay_url: None,
        subdomains: Some("1234".into()),
        attribution: "© 高德地图".into(),
        crs: CoordSystem::Gcj02,
        key: key.map(Into::into),
        max_zoom: 18,
    })
    .expect("valid tiles")
}

#[test]
fn a_tenant_sets_its_tiles_and_reads_them_back() {
    let db = fresh_db();
    let (a, b) = (tenant(&db, "map-a"), tenant(&db, "map-b"));
    let scope = TenantScope::new(&db, &a);
    assert_eq!(scope.map_settings().unwrap(), None, "unset: the default");
    scope.set_map_settings(&amap(None), fixed_now()).unwrap();
    assert_eq!(scope.map_settings().unwrap(), Some(amap(None)));
    scope
        .set_map_settings(&amap(Some("abc123")), fixed_now())
        .unwrap();
    assert_eq!(
        scope.map_settings().unwrap(),
        Some(amap(Some("abc123"))),
        "replaced"
    );
    assert_eq!(
        TenantScope::new(&db, &b).map_settings().unwrap(),
        None,
        "another tenant's stays unset"
    );
}
