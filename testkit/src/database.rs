use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

/// A freshly created and migrated database, dropped by `cleanup`.
pub struct TestDb {
    pub name: String,
    pub url: String,
    admin_url: String,
}

fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

impl TestDb {
    pub async fn create() -> Self {
        let server = server_url();
        let name = crate::unique("catalog_sync_test");
        let admin_url = format!("{server}/postgres");
        let mut admin = AsyncPgConnection::establish(&admin_url).await.expect("connect to PostgreSQL (is it running? TEST_DATABASE_URL)");
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create test database");
        let url = format!("{server}/{name}");
        shared_models::db::run_migrations(&url).await.expect("migrate test database");
        Self { name, url, admin_url }
    }

    pub async fn connect(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.url).await.expect("connect to test database")
    }

    /// Counts rows with a raw SQL `SELECT count(*) ...`.
    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.connect().await;
        let row: Count = diesel::sql_query(format!("SELECT ({sql}) AS n")).get_result(&mut conn).await.expect("count query");
        row.n
    }

    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        diesel::sql_query(sql).execute(&mut conn).await.expect("test SQL");
    }

    pub async fn cleanup(self) {
        if let Ok(mut admin) = AsyncPgConnection::establish(&self.admin_url).await {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin).await;
        }
    }
}
