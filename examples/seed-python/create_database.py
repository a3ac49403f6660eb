# The seed's topology statement: 3 primaries (lose one and keep writing), 2
# secondaries (read-only copies for execute_read).
import os
from neo4j import GraphDatabase

URI = os.environ.get("NEO4J_URI", "neo4j://localhost:7687")
AUTH = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "password123"))

with GraphDatabase.driver(URI, auth=AUTH) as driver:
    driver.execute_query("CREATE DATABASE shipping IF NOT EXISTS TOPOLOGY 3 PRIMARIES 2 SECONDARIES;", database_="system")
    records, _, _ = driver.execute_query(
        "SHOW DATABASE shipping YIELD name, role, address, currentStatus", database_="system", routing_="r")
    for r in records:
        print(f"{r['name']} {r['role']} {r['address']} {r['currentStatus']}")
