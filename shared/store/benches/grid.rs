//! The grid at the report's scale (8 + 168 + 300 + 7,349 = 7,825 nodes in one tenant):
//! importing it, reading the whole tree, resolving a location. A file database in WAL
//! mode, as the host runs it. `cargo bench -p store --features native`.

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use domain::{GridLevel, Tenant, TenantCode, TenantKind, seed_zone};
use std::hint::black_box;
use store::{NativeDb, NewTenant, TenantScope, create_tenant, migrate};
use tempfile::TempDir;

fn fresh() -> (TempDir, NativeDb, Tenant) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = NativeDb::open(dir.path().join("bench.db")).expect("open");
    migrate(&db).expect("migrate");
    let tenant = create_tenant(
        &db,
        NewTenant {
            code: TenantCode::parse("zone").expect("code"),
            name: "开发区".into(),
            kind: TenantKind::District,
            time_zone: "Asia/Shanghai".into(),
        },
        Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0)
            .single()
            .expect("t0"),
    )
    .expect("tenant");
    (dir, db, tenant)
}

fn grid(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid");
    group.sample_size(10);

    group.bench_function("import_seed_zone_7825", |b| {
        b.iter_batched(
            || (fresh(), seed_zone()),
            |((_dir, db, tenant), rows)| {
                let report = TenantScope::new(&db, &tenant)
                    .import_grid(rows)
                    .expect("import");
                assert_eq!(report.created, 7825);
            },
            BatchSize::PerIteration,
        );
    });

    let (_dir, db, tenant) = fresh();
    let scope = TenantScope::new(&db, &tenant);
    scope.import_grid(seed_zone()).expect("import");

    group.bench_function("grid_tree_whole_7825", |b| {
        b.iter(|| {
            let nodes = scope.grid_tree(None).expect("tree");
            assert_eq!(nodes.len(), 7825);
            black_box(nodes)
        });
    });

    let target = seed_zone()
        .into_iter()
        .filter(|r| r.level == GridLevel::MicroGrid)
        .nth(5000)
        .and_then(|r| r.geometry)
        .expect("a micro-grid with a shape")
        .bbox();
    let (lat, lon) = (
        (target.min_lat + target.max_lat) / 2.0,
        (target.min_lon + target.max_lon) / 2.0,
    );
    group.bench_function("locate_point", |b| {
        b.iter(|| {
            let found = scope
                .locate(black_box(lat), black_box(lon))
                .expect("locate");
            assert!(found.is_some());
            found
        });
    });
    group.finish();
}

criterion_group!(benches, grid);
criterion_main!(benches);
