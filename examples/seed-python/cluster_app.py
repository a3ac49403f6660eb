# The seed's ClusterApp, unchanged but for the URI, which can be overridden so
# tests can point it at a fixture cluster on any port.
import os
from neo4j import GraphDatabase

# 1. Use 'neo4j://' for cluster routing (NEVER use 'bolt://' for clusters)
URI = os.environ.get("NEO4J_URI", "neo4j://localhost:7687")
AUTH = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "password123"))


class ClusterApp:
    def __init__(self, uri, auth):
        self.driver = GraphDatabase.driver(uri, auth=auth)

    def close(self):
        self.driver.close()

    # WRITES go to the Leader (Primary)
    def add_city(self, city_name):
        with self.driver.session(database="neo4j") as session:
            # execute_write ensures the query hits the Leader
            session.execute_write(self._create_city, city_name)

    # READS are spread across Followers/Secondaries
    def get_cities(self):
        with self.driver.session(database="neo4j") as session:
            # execute_read load-balances across all available readers
            return session.execute_read(self._retrieve_cities)

    @staticmethod
    def _create_city(tx, name):
        tx.run("MERGE (:City {name: $name})", name=name)

    @staticmethod
    def _retrieve_cities(tx):
        result = tx.run("MATCH (c:City) RETURN c.name AS name")
        return [record["name"] for record in result]


# Practical usage
app = ClusterApp(URI, AUTH)
app.add_city("Singapore")
print(f"Cities in cluster: {app.get_cities()}")
app.close()
